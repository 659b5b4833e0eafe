import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { liveKeyOf, liveSpecOf, tailStart, trimFrames } from '../src/live/live-window';
import type { StreamRequest } from '../src/contract/stream';

const HOUR = 3_600_000;
const request = (
  queries: StreamRequest['queries'],
  windowMs = 6 * HOUR,
  extra: Partial<StreamRequest> = {}
): StreamRequest => ({
  range: { from: String(1_800_000_000_000 - windowMs), to: '1800000000000' },
  maxDataPoints: 1000,
  intervalMs: 1000,
  queries,
  ...extra,
});
const avg = {
  refId: 'A',
  mode: 'builder' as const,
  table: 't',
  metrics: [{ column: 'v', aggregation: 'avg' as const }],
};

describe('live window', () => {
  it('pins an auto bucket to the width of the full window, so a short tail re-run buckets alike', () => {
    // 6 h over 1000 points: at least 21.6 s, the next nice width is 30 s.
    const spec = liveSpecOf(request([avg]), avg, 100_000);
    assert.equal(spec.query.mode === 'builder' && spec.query.bucket, '30s');
    assert.equal(spec.stepMs, 30_000);
    assert.equal(spec.wholeWindow, false);
  });

  it('widens an explicit bucket as the panel’s own query was, and re-runs a range aggregate whole', () => {
    const fine = { ...avg, bucket: '1s' };
    const spec = liveSpecOf(request([fine]), fine, 100_000);
    assert.equal(spec.query.mode === 'builder' && spec.query.bucket, '30s');
    const table = { ...avg, format: 'table' as const };
    assert.equal(liveSpecOf(request([table]), table, 100_000).wholeWindow, true);
  });

  it('starts a tail a few buckets back, and never after the bucket of the previous run', () => {
    const spec = liveSpecOf(request([avg]), avg, 100_000);
    const now = 1_800_000_000_000;
    assert.equal(tailStart(spec, now, now - 1000), now - 3 * 30_000);
    assert.equal(tailStart(spec, now, now - 10 * 60_000), now - 10 * 60_000 - 30_000);
    assert.equal(tailStart(spec, now, 0), now - spec.windowMs, 'never before the window');
  });

  it('drops rows before the start: a bucket cut by it is left to the client’s whole value', () => {
    const frame = {
      schema: {
        fields: [
          { name: 't', type: 'time' as const },
          { name: 'v', type: 'number' as const },
        ],
      },
      data: {
        values: [
          [100, 200, 300],
          [1, 2, 3],
        ],
      },
    };
    assert.deepEqual(trimFrames([frame], 200)[0].data.values, [
      [200, 300],
      [2, 3],
    ]);
  });

  it('keys queries by what they compute, not by refId or panel', () => {
    const a = liveSpecOf(request([avg]), avg, 100_000);
    const b = liveSpecOf(request([{ ...avg, refId: 'Z' }]), { ...avg, refId: 'Z' }, 100_000);
    const other = liveSpecOf(request([avg], HOUR), avg, 100_000);
    assert.equal(liveKeyOf(a), liveKeyOf(b));
    assert.notEqual(liveKeyOf(a), liveKeyOf(other));
  });
});
