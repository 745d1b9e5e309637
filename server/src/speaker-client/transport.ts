// How requests reach a speaker's API. The client speaks the API (speaker-api); a transport only
// moves a request target ("/v1/lookup?ip=...") and brings back the status and body.

export interface TransportReply {
  readonly status: number;
  readonly text: string;
}

export interface TransportStream {
  readonly status: number;
  /** The body as it arrives; for a non-2xx status, the error text. */
  readonly body: AsyncIterable<Uint8Array>;
}

/** A table recorded once (an MRT file): no sessions, nothing to follow. */
export interface RecordedTable {
  /** Prefixes in the table, IPv4 and IPv6. */
  prefixCount(): Promise<number>;
}

export interface SpeakerTransport {
  /** Where the routes come from, for messages: "speaker http://127.0.0.1:8179", "MRT file fabric.mrt". */
  readonly label: string;
  /** Set for a recorded table; undefined for a running speaker. */
  readonly recorded?: RecordedTable;
  /** GETs a request target; rejects with a one-line error only when the speaker cannot be reached. */
  get(target: string): Promise<TransportReply>;
  /** Opens a streamed GET (/v1/watch); absent when the transport cannot stream. */
  stream?(target: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<TransportStream>;
}
