/** Structured logs: one JSON object per line on stderr, e.g. {"time":...,"level":"info","event":"peer-up",...}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined | readonly string[]>>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

export function jsonLogger(
  write: (line: string) => void = (line) => void process.stderr.write(line),
  minLevel: LogLevel = 'info',
): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, event, fields = {}) {
      if (rank[level] < rank[minLevel]) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
    },
  };
}

/** Collects entries, for tests. */
export function memoryLogger(): Logger & { readonly entries: { level: LogLevel; event: string; fields: LogFields }[] } {
  const entries: { level: LogLevel; event: string; fields: LogFields }[] = [];
  return { entries, log: (level, event, fields = {}) => void entries.push({ level, event, fields }) };
}
