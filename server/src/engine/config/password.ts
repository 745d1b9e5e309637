/**
 * A TCP-MD5 password written in the config. It never serializes or prints: JSON, template
 * strings and util.inspect all show "[redacted]", so it cannot leak into logs, the API or metrics.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The password itself, for the socket option only. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

/** Where a peer's TCP-MD5 key comes from: the config itself, or a file (a mounted Secret) read by the speaker. */
export type PasswordSource =
  | { readonly kind: 'inline'; readonly secret: Secret }
  | { readonly kind: 'file'; readonly path: string };

export interface RawPassword {
  password?: string;
  passwordFile?: string;
}

/** RFC 2385 keys are at most 80 bytes on Linux (TCP_MD5SIG_MAXKEYLEN). */
export const MAX_PASSWORD_BYTES = 80;

export function parsePassword(
  raw: RawPassword,
  fail: (field: 'password' | 'passwordFile', message: string) => void,
): PasswordSource | undefined {
  if (raw.password !== undefined && raw.passwordFile !== undefined) {
    fail('passwordFile', 'set password or passwordFile, not both');
    return undefined;
  }
  if (raw.passwordFile !== undefined) return { kind: 'file', path: raw.passwordFile };
  if (raw.password === undefined) return undefined;
  const bytes = utf8Length(raw.password);
  if (bytes === 0 || bytes > MAX_PASSWORD_BYTES) {
    fail('password', `the password must be 1 to ${MAX_PASSWORD_BYTES} bytes (TCP-MD5 key length), not ${bytes}`);
    return undefined;
  }
  return { kind: 'inline', secret: new Secret(raw.password) };
}

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}
