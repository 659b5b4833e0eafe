import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lsnToBigInt, PrimaryWalHistory } from '../../src/db/replica-freshness';

describe('replica freshness from WAL positions', () => {
  it('reads LSN text as a byte position', () => {
    assert.equal(lsnToBigInt('0/16B3748'), 0x16b3748n);
    assert.equal(lsnToBigInt('1/0'), 1n << 32n);
    assert.ok(lsnToBigInt('2/0') > lsnToBigInt('1/FFFFFFFF'));
    assert.throws(() => lsnToBigInt('16B3748'), /Not a WAL position/);
  });

  it('places a replica at the latest sample it has replayed', () => {
    const h = new PrimaryWalHistory(60_000);
    h.add(1000, 100n);
    h.add(2000, 200n);
    h.add(3000, 300n);
    assert.equal(h.freshAsOf(300n), 3000);
    assert.equal(h.freshAsOf(250n), 2000, 'between samples: only what the earlier one had is certain');
    assert.equal(h.freshAsOf(99n), null, 'behind every sample');
  });

  it('keeps an idle primary position current, so a caught-up replica stays fresh', () => {
    const h = new PrimaryWalHistory(60_000);
    h.add(1000, 500n);
    h.add(9000, 500n);
    assert.equal(h.freshAsOf(500n), 9000);
  });

  it('forgets samples older than its window, keeping one to place a replica at the edge', () => {
    const h = new PrimaryWalHistory(5000);
    for (let t = 0; t <= 20_000; t += 1000) {
      h.add(t, BigInt(t));
    }
    assert.equal(h.oldest, 14_000);
    assert.equal(h.freshAsOf(14_500n), 14_000);
    assert.equal(h.freshAsOf(1000n), null);
  });

  it('starts over when the primary position goes back (a different primary)', () => {
    const h = new PrimaryWalHistory(60_000);
    h.add(1000, 900n);
    h.add(2000, 100n);
    assert.equal(h.freshAsOf(500n), 2000);
    assert.equal(h.oldest, 2000);
  });
});
