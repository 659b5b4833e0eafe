import type { FetchResponse } from '@grafana/runtime';
import type { StreamRequest } from 'timescaledb-gateway/contract';
import { Observable, type Subscriber } from 'rxjs';

import { LiveConnection, type LiveSubscriptionSpec } from './liveConnection';

/** Stands in for getBackendSrv().chunked() (Grafana itself does not run here). */
const fakeChunked = () => {
  const opened: Array<{
    body: StreamRequest;
    subscriber: Subscriber<FetchResponse<Uint8Array | undefined>>;
    closed: boolean;
  }> = [];
  const open = (body: StreamRequest) =>
    new Observable<FetchResponse<Uint8Array | undefined>>((subscriber) => {
      const entry = { body, subscriber, closed: false };
      opened.push(entry);
      return () => {
        entry.closed = true;
      };
    });
  const send = (i: number, text: string, status = 200) =>
    opened[i].subscriber.next({
      ok: status < 300,
      status,
      data: new TextEncoder().encode(text),
    } as FetchResponse<Uint8Array>);
  return { opened, open, send };
};

const spec = (refId: string, cursor: number): LiveSubscriptionSpec => ({
  query: { refId, mode: 'sql', rawSql: 'SELECT 1' },
  context: { range: { from: '0', to: '1000' }, intervalMs: 10 },
  cursor,
});

const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe('LiveConnection', () => {
  it('opens one stream for the subscriptions of a page, each under its own id with its cursor and context', async () => {
    const fake = fakeChunked();
    const live = new LiveConnection(fake.open);
    const a = jest.fn();
    const b = jest.fn();
    live.subscribe(spec('A', 100), a);
    live.subscribe(spec('A', 200), b);
    await settle();
    expect(fake.opened).toHaveLength(1);
    const { body } = fake.opened[0];
    expect(body.queries.map((q) => q.refId)).toEqual(['q1', 'q2']);
    expect(body.cursors).toEqual({ q1: '100', q2: '200' });
    expect(body.contexts?.q2).toEqual({ range: { from: '0', to: '1000' }, intervalMs: 10 });
    fake.send(0, 'event: frame\nid: 300\ndata: {"refId":"q2","from":250,"to":300,"frames":[]}\n\n');
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledWith({ refId: 'A', from: 250, to: 300, frames: [] });
  });

  it('reconnects after the stream’s end with the cursors it was given', async () => {
    const fake = fakeChunked();
    const live = new LiveConnection(fake.open);
    live.subscribe(spec('A', 100), jest.fn());
    await settle();
    fake.send(0, 'event: end\ndata: {"reason":"max_lifetime","cursors":{"q1":"777"}}\n\n');
    fake.opened[0].subscriber.complete();
    await settle(200);
    expect(fake.opened).toHaveLength(2);
    expect(fake.opened[1].body.cursors).toEqual({ q1: '777' });
  });

  it('tells the panel why a stream was refused and tries again later', async () => {
    const fake = fakeChunked();
    const live = new LiveConnection(fake.open);
    const onEvent = jest.fn();
    live.subscribe(spec('A', 100), onEvent);
    await settle();
    fake.send(0, '{"error":"too_many_streams","message":"Token has 20 live streams open"}', 429);
    fake.opened[0].subscriber.complete();
    expect(onEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        refId: 'A',
        error: 'Token has 20 live streams open',
        errorCode: 'too_many_streams',
        status: 429,
      })
    );
    expect(live.connected).toBe(false);
    await settle(1100);
    expect(fake.opened).toHaveLength(2);
  });

  it('keeps no code when the refusal is not the gateway’s own body', async () => {
    const fake = fakeChunked();
    const live = new LiveConnection(fake.open);
    const onEvent = jest.fn();
    const off = live.subscribe(spec('A', 100), onEvent);
    await settle();
    fake.send(0, 'upstream connect error', 502);
    fake.opened[0].subscriber.complete();
    expect(onEvent).toHaveBeenCalledWith(expect.objectContaining({ error: 'upstream connect error', status: 502 }));
    expect(onEvent.mock.calls[0][0]).not.toHaveProperty('errorCode');
    off();
  });

  it('aborts the request when the last subscription goes, and reopens without one that left', async () => {
    const fake = fakeChunked();
    const live = new LiveConnection(fake.open);
    const offA = live.subscribe(spec('A', 1), jest.fn());
    const offB = live.subscribe(spec('B', 1), jest.fn());
    await settle();
    offA();
    await settle();
    expect(fake.opened[0].closed).toBe(true);
    expect(fake.opened[1].body.queries.map((q) => q.refId)).toEqual(['q2']);
    offB();
    expect(fake.opened[1].closed).toBe(true);
    expect(live.connected).toBe(false);
    await settle();
    expect(fake.opened).toHaveLength(2);
  });
});
