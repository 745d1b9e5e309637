/** A speaker that cannot be reached or answers wrongly: one line for the user, never a stack. */
export class SpeakerError extends Error {
  override readonly name = 'SpeakerError';
}

/** Makes the error a face reports (kubectl's UsageError, say); SpeakerError by default. */
export type ErrorFactory = (message: string) => Error;

export const speakerError: ErrorFactory = (message) => new SpeakerError(message);

/** The most telling part of a fetch failure: its cause's code (ECONNREFUSED), else the message. */
export function transportReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}
