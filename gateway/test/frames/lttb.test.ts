import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { downsampleIndices, lttbIndices } from '../../src/frames/lttb';

const series = fc
  .array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { freq: 10 }), { minLength: 1, maxLength: 2000 })
  .map((ys) => ({ xs: ys.map((_, i) => i * 1000 + (i % 7)), ys: ys.map((y) => (y === null ? Number.NaN : y)) }));

describe('LTTB downsampling', () => {
  it('keeps first, last, the global minimum and maximum, never more than maxDataPoints, in order', () => {
    fc.assert(
      fc.property(series, fc.integer({ min: 4, max: 2500 }), ({ xs, ys }, max) => {
        const picked = downsampleIndices(xs, ys, max);
        assert.ok(picked.length <= max, `${picked.length} > ${max}`);
        assert.ok(
          picked.every((v, i) => i === 0 || v > picked[i - 1]),
          'ascending, no repeats'
        );
        assert.equal(picked[0], 0);
        assert.equal(picked[picked.length - 1], xs.length - 1);
        const values = ys.filter((y) => !Number.isNaN(y));
        if (values.length) {
          const kept = picked.map((i) => ys[i]);
          assert.ok(kept.includes(Math.min(...values)), 'minimum kept');
          assert.ok(kept.includes(Math.max(...values)), 'maximum kept');
        }
        if (xs.length <= max) {
          assert.equal(picked.length, xs.length);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('picks the peak of each bucket: a spike in flat data survives', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const ys = xs.map((i) => (i === 517 ? 50 : i === 211 ? -20 : 1));
    const picked = lttbIndices(xs, ys, 20);
    assert.equal(picked.length, 20);
    assert.ok(picked.includes(517) && picked.includes(211), JSON.stringify(picked));
  });

  it('with fewer than four points allowed keeps first, last, minimum, maximum in that order', () => {
    const xs = [0, 1, 2, 3, 4];
    const ys = [5, 9, 1, 4, 3];
    assert.deepEqual(downsampleIndices(xs, ys, 2), [0, 4]);
    assert.deepEqual(downsampleIndices(xs, ys, 3), [0, 2, 4]);
  });
});
