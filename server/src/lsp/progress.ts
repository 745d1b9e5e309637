import type { WorkDoneProgressReporter } from 'vscode-languageserver';

/** Progress of one long task as the user sees it (LSP work-done progress in the editor). */
export interface ProgressReport {
  report(done: number, total: number): void;
  end(): void;
}

/** Percentages are sent when they move by a whole step, not for every file. */
const stepPercent = 1;

/**
 * Work-done progress over a reporter that may still be on its way (window/workDoneProgress/create
 * is a request): what happens before the client answers is sent once it has. A client without
 * window.workDoneProgress gets a reporter that sends nothing (vscode-languageserver decides).
 */
export class WorkDoneProgress implements ProgressReport {
  private reporter: WorkDoneProgressReporter | undefined;
  private lastPercent = -1;
  private pending: { percent: number; message: string } | undefined;
  private ended = false;

  constructor(
    created: Promise<WorkDoneProgressReporter>,
    private readonly title: string,
    onError: (e: unknown) => void,
  ) {
    created.then((reporter) => {
      this.reporter = reporter;
      reporter.begin(this.title, this.pending?.percent ?? 0, this.pending?.message);
      if (this.ended) reporter.done();
    }, onError);
  }

  report(done: number, total: number): void {
    if (this.ended) return;
    const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
    if (percent < this.lastPercent + stepPercent && done < total) return;
    this.lastPercent = percent;
    const message = `${done}/${total} files`;
    if (this.reporter) this.reporter.report(percent, message);
    else this.pending = { percent, message };
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reporter?.done();
  }
}
