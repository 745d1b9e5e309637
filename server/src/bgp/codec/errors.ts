/**
 * Protocol errors as data. Decoders never throw for bad input: they return a
 * {@link BgpError} that says which NOTIFICATION to send (code, subcode, data)
 * and what RFC 7606 tells the receiver to do about it.
 */
import { EMPTY_BYTES } from './bytes';
import { errorCodeName, errorSubcodeName } from './error-codes';

/**
 * The RFC 7606 section 2 error-handling approach.
 * - `session-reset`: send the NOTIFICATION and close the session (also used for "AFI/SAFI disable").
 * - `treat-as-withdraw`: keep the session; withdraw every prefix the UPDATE carried.
 * - `attribute-discard`: keep the session; ignore the offending attribute.
 */
export type ErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

const SEVERITY: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'session-reset': 3,
};

/** True when `a` is a stronger approach than `b` (session-reset > treat-as-withdraw > attribute-discard). */
export function isStrongerAction(a: ErrorAction, b: ErrorAction): boolean {
  return SEVERITY[a] > SEVERITY[b];
}

/** A protocol error: the NOTIFICATION it maps to and the RFC 7606 action. Never thrown. */
export class BgpError {
  constructor(
    /** NOTIFICATION Error Code (see `ErrorCode`). */
    readonly code: number,
    /** NOTIFICATION Error Subcode. */
    readonly subcode: number,
    /** What the receiver must do (RFC 7606). */
    readonly action: ErrorAction,
    /** Human-readable detail for logs, e.g. "ORIGIN: length 2, expected 1". */
    readonly reason: string,
    /** NOTIFICATION Data field, as RFC 4271 section 6 prescribes for this error. */
    readonly data: Uint8Array = EMPTY_BYTES,
  ) {}

  /** "UPDATE Message Error / Attribute Length Error" */
  get name(): string {
    return `${errorCodeName(this.code)} / ${errorSubcodeName(this.code, this.subcode)}`;
  }

  /** The same error with a different action (e.g. escalated to a session reset). */
  withAction(action: ErrorAction, reason = this.reason): BgpError {
    return new BgpError(this.code, this.subcode, action, reason, this.data);
  }

  toString(): string {
    return `${this.name} (${this.action}): ${this.reason}`;
  }
}
