// Checkpoints: how the suite (inside VS Code's extension host) asks the driver (outside, with
// the browser) about what only the browser sees: the status bar's text, a hover on screen, a
// screenshot. The suite writes NAME.request.json into a folder both know (the environment
// variable below), the driver does what it asks and writes NAME.response.json. Waiting is done
// by watching the folder, and by the browser's own waiting for a selector: nothing sleeps.

export const checkpointDirVariable = 'KUBE_ROUTES_VSCODE_CHECKPOINTS';

export interface CheckpointRequest {
  readonly name: string;
  /** Wait until the kube-routes status bar item's text matches this (a RegExp source). */
  readonly statusMatches?: string;
  /** Wait until a hover is on screen whose text matches this (a RegExp source). */
  readonly hoverMatches?: string;
  /** Wait until a code lens on screen matches this (a RegExp source). */
  readonly lensMatches?: string;
  /** Then click the status bar item, as a user would. */
  readonly clickStatus?: boolean;
  /** Then save a screenshot of the workbench under this file name (in the results folder). */
  readonly screenshot?: string;
}

export interface CheckpointResponse {
  /** The status bar item's text (its icon is not text) when the conditions held. */
  readonly statusText: string | undefined;
  readonly hoverText: string | undefined;
  /** Absolute path of the screenshot taken. */
  readonly screenshot: string | undefined;
  /** Why a condition never held (the driver's safety timeout), or another failure. */
  readonly error: string | undefined;
}

export const requestFile = (name: string) => `${name}.request.json`;
export const responseFile = (name: string) => `${name}.response.json`;

/** The line the suite logs last, so the driver can tell a run that asserted from one that did nothing. */
export const summaryPrefix = 'kube-routes vscode suite:';
