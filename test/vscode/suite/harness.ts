import { existsSync, readFileSync, renameSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  checkpointDirVariable,
  requestFile,
  responseFile,
  summaryPrefix,
  type CheckpointRequest,
  type CheckpointResponse,
} from '../checkpoints';

// A small step runner for the suite inside VS Code's extension host, and the waits it needs:
// on VS Code's events (diagnostics changed, editor changed) and on the driver's checkpoint
// answers. Steps share one workbench and build on each other, so the first failure stops the run.

/** Safety nets so a broken run fails with what it saw instead of hanging; never a timing assertion. */
const safetyMs = 60_000;

export interface Step {
  readonly name: string;
  run(): Promise<void>;
}

export async function runSteps(steps: readonly Step[]): Promise<void> {
  let passed = 0;
  for (const step of steps) {
    try {
      await step.run();
      passed++;
      console.log(`ok ${passed} - ${step.name}`);
    } catch (e) {
      console.log(`not ok ${passed + 1} - ${step.name}\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      console.log(`${summaryPrefix} ${passed} passed, 1 failed, ${steps.length - passed - 1} not run`);
      throw e;
    }
  }
  console.log(`${summaryPrefix} ${passed} passed, 0 failed`);
}

/** Resolves with the first defined value of check, evaluated now and on every event. */
export function waitForEvent<T>(
  what: string,
  event: vscode.Event<unknown>,
  check: () => T | undefined,
  describe: () => string = () => '',
): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      listener.dispose();
    };
    const attempt = () => {
      const value = check();
      if (value !== undefined) {
        done();
        resolve(value);
      }
    };
    const listener = event(attempt);
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out waiting for ${what}${describe()}`));
    }, safetyMs);
    attempt();
  });
}

export function kubeRoutesDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kube-routes');
}

export function ruleOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** The kube-routes diagnostics of a document once they satisfy the predicate. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  what: string,
  predicate: (d: readonly vscode.Diagnostic[]) => boolean,
): Promise<vscode.Diagnostic[]> {
  return waitForEvent(
    what,
    vscode.languages.onDidChangeDiagnostics,
    () => {
      const d = kubeRoutesDiagnostics(uri);
      return predicate(d) ? d : undefined;
    },
    () =>
      `; the diagnostics are: ${JSON.stringify(kubeRoutesDiagnostics(uri).map((d) => [ruleOf(d), d.range.start.line, d.message]))}`,
  );
}

let checkpointCount = 0;

/** Asks the driver what the browser shows (checkpoints.ts) and waits for its answer. */
export async function checkpoint(request: CheckpointRequest): Promise<CheckpointResponse> {
  const dir = process.env[checkpointDirVariable];
  if (!dir) throw new Error(`${checkpointDirVariable} is not set: the suite must be run by test/vscode/driver.ts`);
  const name = `${String(++checkpointCount).padStart(2, '0')}-${request.name}`;
  const answer = join(dir, responseFile(name));
  const response = new Promise<CheckpointResponse>((resolve, reject) => {
    const read = () => {
      if (!existsSync(answer)) return;
      done();
      resolve(JSON.parse(readFileSync(answer, 'utf8')) as CheckpointResponse);
    };
    const watcher = watch(dir, read);
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`the driver did not answer checkpoint ${name}`));
    }, safetyMs * 2);
    const done = () => {
      clearTimeout(timer);
      watcher.close();
    };
    read();
  });
  // Written under another name and renamed: the driver never reads half a request.
  writeFileSync(join(dir, `${requestFile(name)}.tmp`), JSON.stringify(request));
  renameSync(join(dir, `${requestFile(name)}.tmp`), join(dir, requestFile(name)));
  const result = await response;
  if (result.error) throw new Error(`checkpoint ${name}: ${result.error}`);
  return result;
}

export function workspaceUri(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

/** The text of a line of a document, for asserting what an edit did. */
export function lineText(doc: vscode.TextDocument, line: number): string {
  return doc.lineAt(line).text;
}
