import { StreamingDataFrame } from '@grafana/data';
import type { DataFrameJSON } from 'timescaledb-gateway/contract';

import { LiveFrames } from './liveFrames';

const frame = (times: number[], values: number[], labels?: Record<string, string>): DataFrameJSON => ({
  schema: {
    fields: [
      { name: 'time', type: 'time' },
      { name: 'value', type: 'number', ...(labels ? { labels } : {}) },
    ],
  },
  data: { values: [times, values] },
});

const valuesOf = (live: LiveFrames, now: number) => live.toDataFrames(now).map((f) => f.fields[1].values.slice());

describe('LiveFrames', () => {
  it('replaces the points at or after a delta’s start and appends its rows', () => {
    const live = new LiveFrames('A', 1000);
    live.reset({ frames: [frame([100, 200, 300], [1, 2, 3])] });
    live.apply({ refId: 'A', from: 200, to: 450, frames: [frame([200, 300, 400], [20, 30, 40])] });
    expect(valuesOf(live, 450)).toEqual([[1, 20, 30, 40]]);
  });

  it('keeps a series without rows in the delta but cuts its tail, and adds a new series', () => {
    const live = new LiveFrames('A', 1000);
    live.reset({ frames: [frame([100, 300], [1, 3], { s: 'a' })] });
    live.apply({ refId: 'A', from: 250, to: 400, frames: [frame([350], [9], { s: 'b' })] });
    expect(valuesOf(live, 400)).toEqual([[1], [9]]);
  });

  it('slides the window: points older than the window are dropped as time passes', () => {
    const live = new LiveFrames('A', 1000);
    live.reset({ frames: [frame([100, 900, 1500], [1, 2, 3])] });
    expect(valuesOf(live, 1600)).toEqual([[2, 3]]);
    expect(valuesOf(live, 2400)).toEqual([[3]]);
  });

  it('replaces everything for a delta without a start, and keeps the points on an error', () => {
    const live = new LiveFrames('A', 10_000);
    live.reset({ frames: [frame([100, 200], [1, 2])] });
    live.apply({ refId: 'A', from: null, to: 300, frames: [frame([300], [7])] });
    expect(valuesOf(live, 300)).toEqual([[7]]);
    live.apply({ refId: 'A', from: 300, to: 400, frames: [], error: 'statement timeout', status: 504 });
    expect(valuesOf(live, 400)).toEqual([[7]]);
    expect(live.failure).toEqual({ error: 'statement timeout', status: 504 });
  });

  it('gives Grafana streaming frames carrying the refId and the executed SQL', () => {
    const live = new LiveFrames('B', 1000);
    live.reset({ frames: [frame([100], [1])], executedQueryString: 'SELECT 1' });
    const [f] = live.toDataFrames(200);
    expect(f.refId).toBe('B');
    expect(f.meta?.executedQueryString).toBe('SELECT 1');
    expect(f).toBeInstanceOf(StreamingDataFrame);
  });
});
