/**
 * Server-Sent Events read from a fetch() body. EventSource cannot be used: it only makes GET
 * requests and cannot send the Authorization header, while `POST /api/v1/stream` needs both.
 *
 * Written here rather than taken from a package: the pages are served as plain modules with
 * no bundler, and the gateway sends one simple shape (`event:`, `id:`, one `data:` line,
 * `:` comments, LF line ends); the reader below is that subset of the WHATWG parsing rules
 * (multi-line data and CRLF included), about forty lines against an extra vendor file.
 */

/** Silence this long means a dead connection: the gateway sends a comment every LIVE_PING_MS (15 s). */
export const DEFAULT_IDLE_MS = 45_000;

/**
 * Yields `{ event, id, data }` per event. Comments (the gateway's pings) yield nothing but keep
 * the connection counted as alive; more than `idleMs` without a byte cancels the body and throws.
 */
export async function* sseEvents(body, { idleMs = DEFAULT_IDLE_MS } = {}) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = 'message';
  let id;
  let data = [];
  try {
    for (;;) {
      const { value, done } = await readWithin(reader, idleMs);
      if (done) {
        return;
      }
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        if (line === '') {
          if (data.length) {
            yield { event, id, data: data.join('\n') };
          }
          event = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') {
          event = text;
        } else if (field === 'id') {
          id = text;
        } else if (field === 'data') {
          data.push(text);
        }
      }
    }
  } finally {
    // Reached on a thrown error and when the consumer stops early: let the connection go.
    reader.cancel().catch(() => undefined);
  }
}

async function readWithin(reader, ms) {
  let timer;
  const silence = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no data for ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([reader.read(), silence]);
  } finally {
    clearTimeout(timer);
  }
}
