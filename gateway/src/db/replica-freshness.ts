/**
 * How stale a streaming replica may be, measured with WAL positions rather than
 * `now() - pg_last_xact_replay_timestamp()` (which reads as a large lag whenever the primary has
 * been idle, and as none while the standby's clock is off).
 *
 * The gateway samples the primary's `pg_current_wal_lsn()` now and then. A sample (t, L) says:
 * everything committed on the primary before t lies at or below L. A replica that has replayed
 * up to R ≥ L therefore holds everything committed before t. So the replica is *fresh as of* the
 * latest sample time whose LSN is ≤ R, and its staleness at any later moment is at most
 * `now - freshAsOf` — an upper bound that keeps growing while replay stands still and new WAL
 * arrives on the primary, and stays small when the primary is idle (nothing to miss).
 */

/** `'16/B374D848'` → its byte position. */
export function lsnToBigInt(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) {
    throw new Error(`Not a WAL position: ${JSON.stringify(lsn)}`);
  }
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

interface Sample {
  at: number;
  lsn: bigint;
}

export class PrimaryWalHistory {
  private samples: Sample[] = [];

  /** @param keepMs how far back samples are kept: staleness beyond it only reads as "more than that". */
  constructor(private readonly keepMs: number) {}

  /** `at`: a time taken *before* the LSN was read, so the sample never overstates what was written by then. */
  add(at: number, lsn: bigint): void {
    const last = this.samples.at(-1);
    if (last && lsn < last.lsn) {
      // The primary went back (restored, replaced): what was sampled before means nothing now.
      this.samples = [];
    }
    const newest = this.samples.at(-1);
    if (newest && newest.lsn === lsn) {
      // Nothing written since: the same position holds at the later time too.
      newest.at = Math.max(newest.at, at);
    } else {
      this.samples.push({ at, lsn });
    }
    // Keep one sample older than the window, so a replica just inside it is still placed.
    const cutoff = at - this.keepMs;
    while (this.samples.length > 1 && this.samples[1].at < cutoff) {
      this.samples.shift();
    }
  }

  /** The latest sample time whose LSN the replica has replayed; null when it is behind every sample kept. */
  freshAsOf(replayed: bigint): number | null {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (this.samples[i].lsn <= replayed) {
        return this.samples[i].at;
      }
    }
    return null;
  }

  get oldest(): number | null {
    return this.samples[0]?.at ?? null;
  }
}
