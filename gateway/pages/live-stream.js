import { sseEvents } from './sse-reader.js';

/**
 * Follows `POST /api/v1/stream` for one query: hands every `frame` event to `onFrame`, and
 * after a dropped connection (network error, a body that ends, silence) or the gateway's `end`
 * event, opens it again with the last cursor, so the gateway re-sends the tail after it and no
 * row is missed. Only answers that cannot get better by waiting (a bad body, a refused token)
 * stop it.
 *
 * `onState(state, detail)`: 'connecting' | 'live' | 'failing' | 'reconnecting' | 'stopped'
 * (detail: { cursor, connections, frames, retryMs, reason }).
 */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;
/** Statuses a later attempt can get past: too many streams, gateway busy or restarting. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export function followStream({ client, body, cursor, onFrame, onState }) {
  const controller = new AbortController();
  let stopped = false;
  let connections = 0;
  let frames = 0;
  let retryMs = RETRY_FIRST_MS;

  const report = (state, extra = {}) => {
    if (!stopped) {
      onState(state, { cursor, connections, frames, ...extra });
    }
  };

  async function run() {
    while (!stopped) {
      let reason;
      try {
        report('connecting');
        const request = cursor === null ? body : { ...body, cursor };
        const response = await client.openStream(request, controller.signal);
        connections++;
        report('live');
        for await (const event of sseEvents(response.body)) {
          if (stopped) {
            return;
          }
          if (event.event === 'frame') {
            const frame = JSON.parse(event.data);
            cursor = event.id ?? String(frame.to);
            retryMs = RETRY_FIRST_MS;
            frames++;
            onFrame(frame);
            // A failed run says so and changes no point; the next good one is live again.
            report(frame.error ? 'failing' : 'live', { reason: frame.error });
          } else if (event.event === 'end') {
            // The gateway's own end (lifetime, shutdown): continue at once from its cursor.
            const end = JSON.parse(event.data);
            cursor = Object.values(end.cursors ?? {})[0] ?? cursor;
            retryMs = 0;
            reason = `the gateway ended the stream (${end.reason})`;
            break;
          }
        }
        reason ??= 'the connection closed';
      } catch (err) {
        if (stopped) {
          return;
        }
        if (err.status !== undefined && !RETRYABLE.has(err.status)) {
          onState('stopped', { cursor, connections, frames, reason: err.message });
          stopped = true;
          return;
        }
        reason = err.message;
      }
      report('reconnecting', { retryMs, reason });
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(Math.max(retryMs * 2, RETRY_FIRST_MS), RETRY_MAX_MS);
    }
  }

  void run();
  return {
    stop() {
      stopped = true;
      controller.abort();
    },
  };
}
