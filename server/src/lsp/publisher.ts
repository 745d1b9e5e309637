import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';

/**
 * Sends publishDiagnostics only when a document's diagnostics differ from what the client last
 * got, so re-checking the other side of a conflict costs a message only when it changed.
 */
export class DiagnosticsPublisher {
  private readonly last = new Map<string, string>();

  constructor(private readonly send: (params: PublishDiagnosticsParams) => void) {}

  publish(uri: string, diagnostics: Diagnostic[], version?: number, force = false): void {
    const json = JSON.stringify(diagnostics);
    if (!force && this.last.get(uri) === json) return;
    this.last.set(uri, json);
    this.send(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics });
  }

  /** Clears a document's diagnostics (closed, deleted); nothing is sent when it had none. */
  clear(uri: string): void {
    const had = this.last.get(uri);
    this.last.delete(uri);
    if (had !== undefined && had !== '[]') this.send({ uri, diagnostics: [] });
  }

  has(uri: string): boolean {
    return this.last.has(uri);
  }
}
