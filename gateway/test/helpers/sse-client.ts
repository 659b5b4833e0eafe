import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
  /** When the event was parsed (performance.now()). */
  at: number;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  /** The JSON body of a refused stream (status ≠ 200). */
  errorBody?: any;
  events: SseEvent[];
  /** Comment lines (`: ping`) seen. */
  comments: string[];
  /** Resolves with the first event (already received or still to come) that matches. */
  next(match: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  /** Stops reading the socket: the gateway's writes back up. */
  pause(): void;
  resume(): void;
  close(): void;
  closed: Promise<void>;
}

/**
 * A minimal Server-Sent Events reader over a POST (node:http, so a test can stop reading the
 * socket the way a stalled browser tab would). Resolves once the response headers are in.
 */
export function openSse(url: string, token: string, body: unknown): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        const events: SseEvent[] = [];
        const comments: string[] = [];
        const waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
        let buffer = '';
        let closedResolve!: () => void;
        const closed = new Promise<void>((r) => (closedResolve = r));
        res.on('close', () => closedResolve());
        res.on('error', () => closedResolve());
        const client: SseClient = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          comments,
          next(match, ms = 10_000) {
            const found = events.find(match);
            if (found) {
              return Promise.resolve(found);
            }
            return new Promise((resolveEvent, rejectEvent) => {
              const timer = setTimeout(
                () =>
                  rejectEvent(
                    new Error(`no matching event within ${ms} ms; got ${events.map((e) => e.event).join(',')}`)
                  ),
                ms
              );
              waiters.push({
                match,
                resolve: (e) => {
                  clearTimeout(timer);
                  resolveEvent(e);
                },
              });
            });
          },
          pause: () => res.pause(),
          resume: () => res.resume(),
          close: () => req.destroy(),
          closed,
        };
        if (client.status !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            client.errorBody = text ? JSON.parse(text) : undefined;
            resolve(client);
          });
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const e: SseEvent = { event: 'message', data: '', at: performance.now() };
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) {
                comments.push(line.slice(1).trim());
              } else if (line.startsWith('event: ')) {
                e.event = line.slice(7);
              } else if (line.startsWith('id: ')) {
                e.id = line.slice(4);
              } else if (line.startsWith('data: ')) {
                data.push(line.slice(6));
              }
            }
            if (data.length === 0 && e.event === 'message') {
              continue;
            }
            e.data = data.join('\n');
            events.push(e);
            for (const w of waiters.splice(0)) {
              if (w.match(e)) {
                w.resolve(e);
              } else {
                waiters.push(w);
              }
            }
          }
        });
        resolve(client);
      }
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The values of the field called `name` in every frame of a `frame` event. */
export function frameValues(e: SseEvent, name: string): unknown[] {
  const d = JSON.parse(e.data) as {
    frames?: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }>;
  };
  const out: unknown[] = [];
  for (const f of d.frames ?? []) {
    const i = f.schema.fields.findIndex((x) => x.name === name);
    if (i >= 0) {
      out.push(...f.data.values[i]);
    }
  }
  return out;
}

/** A raw live query of `table`'s `value` over the last hour: every row of the tail comes back as a point. */
export function liveBody(table: string, extra: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    range: { from: String(now - 3_600_000), to: String(now) },
    intervalMs: 1000,
    maxDataPoints: 5000,
    queries: [{ refId: 'A', mode: 'builder', table, metrics: [{ column: 'value', aggregation: 'none' }] }],
    ...extra,
  };
}
