import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatGoFloat,
  formatGrafanaInterval,
  parseBucketInterval,
  parseGoDuration,
  parseGrafanaInterval,
  pgIntervalText,
  smallestNiceBucketAtLeast,
} from '../../src/time/interval';
import { bucketCount, capBucket } from '../../src/sql/bucket-count';
import { ApiError } from '../../src/errors';

describe('intervals', () => {
  it('parses Go durations like time.ParseDuration', () => {
    assert.equal(parseGoDuration('5m'), 300_000);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('250ms'), 250);
    assert.equal(parseGoDuration('100us'), 0.1);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('5'), null);
    assert.equal(parseGoDuration('1d'), null);
  });
  it("parses Grafana's calendar units from now", () => {
    const now = new Date('2024-02-10T00:00:00Z');
    assert.equal(parseGrafanaInterval('1M', now), 29 * 86_400_000);
    assert.equal(parseGrafanaInterval('1y', now), 366 * 86_400_000);
    assert.equal(parseGrafanaInterval('2w', now), 14 * 86_400_000);
  });
  it('formats like gtime.FormatInterval', () => {
    assert.deepEqual([0.5, 1, 999, 1000, 90_000, 3_600_000, 86_400_000 * 400].map(formatGrafanaInterval), [
      '1ms',
      '1ms',
      '999ms',
      '1s',
      '1m',
      '1h',
      '1y',
    ]);
  });
  it("prints floats like Go's %v", () => {
    assert.deepEqual([300, 0.02, 604800, 1036800, 1e6, 0.00001, 31536000].map(formatGoFloat), [
      '300',
      '0.02',
      '604800',
      '1.0368e+06',
      '1e+06',
      '1e-05',
      '3.1536e+07',
    ]);
  });
  it('parses bucket widths: Grafana units, calendar months/years and PostgreSQL text', () => {
    assert.deepEqual(parseBucketInterval('500ms'), { months: 0, ms: 500 });
    assert.deepEqual(parseBucketInterval('1M'), { months: 1, ms: 0 });
    assert.deepEqual(parseBucketInterval('2y'), { months: 24, ms: 0 });
    assert.deepEqual(parseBucketInterval('15 minutes'), { months: 0, ms: 900_000 });
    assert.deepEqual(parseBucketInterval("'1 month'"), { months: 1, ms: 0 });
    assert.equal(pgIntervalText({ months: 0, ms: 0.5 }), '500 microseconds');
    for (const bad of ['', '0s', '-5m', 'soon', '1 fortnight', "1'; DROP TABLE x; --"]) {
      assert.throws(
        () => parseBucketInterval(bad),
        (e: unknown) => e instanceof ApiError && e.statusCode === 400,
        bad
      );
    }
  });
  it('never accepts a bucket text that is not echoed back in its canonical form', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const b = parseBucketInterval(s);
          assert.match(pgIntervalText(b), /^\d+ (microseconds|milliseconds|seconds|days|months|years)$/);
        } catch (e) {
          assert.ok(e instanceof ApiError && e.statusCode === 400);
        }
      })
    );
  });
});

describe('point cap', () => {
  it('picks the smallest nice width at least the minimum', () => {
    assert.deepEqual(smallestNiceBucketAtLeast(86_400), { months: 0, ms: 120_000 });
    assert.deepEqual(smallestNiceBucketAtLeast(0.3), { months: 0, ms: 1 });
    assert.deepEqual(smallestNiceBucketAtLeast(20 * 86_400_000), { months: 1, ms: 0 });
  });
  it('keeps every series within maxDataPoints buckets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 5 * 365 * 86_400_000 }),
        // From 2: the range's end is inclusive, so when `to` falls exactly on a bucket boundary
        // (e.g. the calendar origin 2000-01-01 of month buckets) no width, however wide, makes it
        // one bucket — seen with from 1998-12-30T17:09:08.468Z, to 2000-01-01 00:00 Berlin.
        fc.integer({ min: 2, max: 3000 }),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'),
        (from, span, max, zone) => {
          const range = { from, to: from + span };
          const start = smallestNiceBucketAtLeast(Math.max(1, span / max));
          const b = capBucket(start, range, zone, max);
          assert.ok(bucketCount(b, range, zone) <= max);
        }
      ),
      { numRuns: 300 }
    );
  });

  it('covers a range ending exactly on the calendar origin in two buckets at most', () => {
    const range = { from: 915037748468, to: 915037748468 + 31643451532 };
    const b = capBucket(smallestNiceBucketAtLeast(range.to - range.from), range, 'Europe/Berlin', 1);
    assert.equal(bucketCount(b, range, 'Europe/Berlin'), 2);
  });
});
