import { SseParser, decodeWatchEvent, watchQuery, type WatchEvent } from '@kube-routes/server/speaker-api';
import type { SpeakerTransport } from './transport';

export interface WatchHandlers {
  /** Every event as it arrives ("hello" included); "resync" means: re-read what you need. */
  event(e: WatchEvent): void;
  /** A stream opened (first, or again after a drop): a good time to re-read, for what happened before it. */
  connected?(): void;
  /** The stream could not be opened or broke with an error (it is retried): one line. */
  lost?(message: string): void;
  /** The speaker has no /v1/watch (404): the follower stops for good; poll instead. */
  unsupported?(): void;
}

export interface WatchSubscription {
  close(): void;
}

export interface FollowOptions {
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

/**
 * Follows /v1/watch through a transport: reconnects after a drop with Last-Event-ID (the speaker
 * replays what was missed, or sends "resync"), backing off up to maxRetryMs, and stops on a 404
 * (a speaker without the stream).
 */
/** What the follower needs: a name for messages and a way to open the stream. */
export interface WatchStreamOpener {
  readonly label: string;
  readonly stream: NonNullable<SpeakerTransport['stream']>;
}

export function followWatch(
  transport: WatchStreamOpener,
  handlers: WatchHandlers,
  options: FollowOptions = {},
): WatchSubscription {
  const initialRetryMs = options.initialRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let retryMs = initialRetryMs;

  /** One connection; true when the stream will never work. */
  const readOnce = async (): Promise<boolean> => {
    const { status, body } = await transport.stream(
      watchQuery(),
      lastEventId ? { 'last-event-id': lastEventId } : {},
      controller.signal,
    );
    if (status === 404) return true;
    if (status < 200 || status > 299) throw new Error(`${transport.label} answered ${status} for the watch stream`);
    retryMs = initialRetryMs;
    handlers.connected?.();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
        if (message.id !== undefined) lastEventId = message.id;
        const event = decodeWatchEvent(message);
        if (event) handlers.event(event);
      }
    }
    return false;
  };

  const run = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        if (await readOnce()) {
          handlers.unsupported?.();
          return;
        }
        // A clean end (the speaker restarting, a proxy's timeout): connect again, no error.
      } catch (e) {
        if (controller.signal.aborted) return;
        handlers.lost?.(e instanceof Error ? e.message : String(e));
      }
      await new Promise<void>((resolve) => {
        // Not unref'd: a face waiting only on this stream (kubectl routes -w) must stay alive; close() clears it.
        const timer = setTimeout(resolve, retryMs);
        controller.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    }
  };
  // Errors are handled in the loop; the catch is for a handler that throws.
  void run().catch((e: unknown) => handlers.lost?.(e instanceof Error ? e.message : String(e)));
  return { close: () => controller.abort() };
}
