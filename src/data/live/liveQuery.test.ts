import { dateTime, LoadingState, type DataQueryResponse } from '@grafana/data';
import type { QueryRequest, QueryResponse, StreamFrameEvent } from 'timescaledb-gateway/contract';
import { of } from 'rxjs';

import type { LiveConnection, LiveEventHandler } from './liveConnection';
import { endsAtNow, LIVE_THROTTLE_MS, runLive } from './liveQuery';

/** A connection that hands the test each subscriber's handler. */
const fakeConnection = () => {
  const handlers: LiveEventHandler[] = [];
  const released: number[] = [];
  const connection = {
    subscribe: (_spec: unknown, onEvent: LiveEventHandler) => {
      handlers.push(onEvent);
      const i = handlers.length - 1;
      return () => released.push(i);
    },
  } as unknown as LiveConnection;
  return { connection, handlers, released };
};

const now = Date.now();
const body: QueryRequest = {
  range: { from: new Date(now - 60_000).toISOString(), to: new Date(now).toISOString() },
  intervalMs: 1000,
  queries: [{ refId: 'A', mode: 'sql', rawSql: 'SELECT 1' }],
};
const frame = (t: number, v: number) => ({
  schema: {
    fields: [
      { name: 'time', type: 'time' as const },
      { name: 'v', type: 'number' as const },
    ],
  },
  data: { values: [[t], [v]] },
});
const history: QueryResponse = { results: { A: { frames: [frame(now - 1000, 1)] } } };
const request = { range: { from: dateTime(now - 60_000), to: dateTime(now), raw: { from: 'now-1m', to: 'now' } } };

describe('runLive', () => {
  it('answers the history first, then throttled streaming updates, and releases on unsubscribe', async () => {
    const fake = fakeConnection();
    const got: Array<{ at: number; r: DataQueryResponse }> = [];
    const sub = runLive({
      connection: fake.connection,
      history: of(history),
      body,
      request,
      liveRefIds: new Set(['A']),
      onError: () => ({ data: [] }),
    }).subscribe((r) => got.push({ at: performance.now(), r }));
    expect(got).toHaveLength(1);
    expect(got[0].r.state).toBe(LoadingState.Streaming);
    expect(fake.handlers).toHaveLength(1);
    for (let i = 0; i < 20; i++) {
      const event: StreamFrameEvent = {
        refId: 'A',
        from: Date.now(),
        to: Date.now(),
        frames: [frame(Date.now(), 100 + i)],
      };
      fake.handlers[0](event);
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, LIVE_THROTTLE_MS + 50));
    const updates = got.slice(1);
    // 20 deltas over ~500 ms: a handful of redraws, at least LIVE_THROTTLE_MS apart.
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.length).toBeLessThanOrEqual(4);
    updates.slice(1).forEach((u, i) => expect(u.at - updates[i].at).toBeGreaterThanOrEqual(LIVE_THROTTLE_MS - 20));
    const values = got.at(-1)!.r.data.flatMap((f) => [...f.fields[1].values]);
    expect(values).toContain(1);
    expect(values).toContain(119);
    sub.unsubscribe();
    expect(fake.released).toEqual([0]);
  });

  it('shows a refused stream on its panel with the gateway’s code kept', async () => {
    const fake = fakeConnection();
    const got: DataQueryResponse[] = [];
    const sub = runLive({
      connection: fake.connection,
      history: of(history),
      body,
      request,
      liveRefIds: new Set(['A']),
      onError: () => ({ data: [] }),
    }).subscribe((r) => got.push(r));
    fake.handlers[0]({
      refId: 'A',
      from: now,
      to: now,
      frames: [],
      error: 'The gateway serves as many live streams as it may',
      errorCode: 'live_streams_exhausted',
      status: 503,
    });
    await new Promise((r) => setTimeout(r, LIVE_THROTTLE_MS + 50));
    expect(got.at(-1)?.errors).toEqual([
      expect.objectContaining({
        refId: 'A',
        status: 503,
        data: expect.objectContaining({ error: 'live_streams_exhausted' }),
      }),
    ]);
    sub.unsubscribe();
  });

  it('applies only when the range ends at now', () => {
    expect(endsAtNow(request.range as never)).toBe(true);
    expect(endsAtNow({ ...request.range, raw: { from: 'now-1h', to: 'now-5m' } } as never)).toBe(false);
  });
});
