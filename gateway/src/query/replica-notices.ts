import type { ServedByRecord } from '../db/served-by';
import { formatSeconds } from '../db/replicas';
import { addNotice, type WorkFrame } from '../frames/frame-types';

/** From this lag on, a frame served by a replica says so: a panel may be missing the newest points. */
export const REPLICA_LAG_NOTICE_MS = 2000;

/** Notices for a frame whose query ran on a lagging replica, or on the primary because replicas were skipped. */
export function addReplicaNotices(frame: WorkFrame, record: ServedByRecord): void {
  const lagging = record.mostLagging();
  if (lagging && (lagging.lagMs ?? 0) >= REPLICA_LAG_NOTICE_MS) {
    addNotice(frame, {
      severity: 'warning',
      text: `Served by read replica ${lagging.server}, which may be up to ${formatSeconds(lagging.lagMs ?? 0)} behind the primary: the newest data may be missing`,
    });
  }
  if (record.served.some((s) => !s.replica) && record.skipped.length) {
    addNotice(frame, {
      severity: 'info',
      text: `Served by the primary; read replicas skipped: ${record.skipped.map((s) => `${s.server} ${s.reason}`).join('; ')}`,
    });
  }
}
