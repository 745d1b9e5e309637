/** The process surface commands use, injectable so tests run commands in-process. */
export interface CliIO {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<Uint8Array>;
  /** Colour only when writing to a terminal and NO_COLOR is unset. */
  readonly color: boolean;
  /** stdout is a terminal: watch mode redraws the whole table instead of printing changed rows. */
  readonly tty?: boolean;
}

export function processIO(): CliIO {
  const env = process.env;
  const color = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : Boolean(process.stdout.isTTY) && !('NO_COLOR' in env);
  return {
    cwd: process.cwd(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    color,
    tty: Boolean(process.stdout.isTTY),
  };
}

/** A usage or environment problem: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
