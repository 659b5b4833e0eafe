import type { Db } from './types';
import type { ReplicaSet } from './replicas';
import { primaryRequired } from './primary-only';

/**
 * The primary with read replicas behind it, as one Db: the one place reads and writes part.
 * Work marked `staleOk` (data GETs, catalog, builder, SQL mode, values) may go to a replica;
 * read-write transactions, COPY, LISTEN and everything unmarked (writes, ingest, the outbox)
 * always run on the primary, as does all work inside onPrimaryOnly (live re-runs). A replica
 * only ever gets read-only transactions.
 */
export function withReadReplicas(primary: Db, replicas: ReplicaSet): Db {
  const mayBeStale = (options?: { staleOk?: boolean }): boolean => options?.staleOk === true && !primaryRequired();
  return {
    driver: primary.driver,
    query: (sql, params, options) =>
      mayBeStale(options)
        ? replicas.read(
            () => primary.query(sql, params, options),
            (r) => r.query(sql, params, options),
            options?.signal
          )
        : primary.query(sql, params, options),
    queryText: primary.queryText
      ? (sql, params, options) =>
          mayBeStale(options)
            ? replicas.read(
                () => primary.queryText!(sql, params, options),
                (r) => r.queryText!(sql, params, options),
                options?.signal
              )
            : primary.queryText!(sql, params, options)
      : undefined,
    transaction: (fn, options) =>
      mayBeStale(options) && options?.readOnly
        ? replicas.read(
            () => primary.transaction(fn, options),
            (r) => r.transaction(fn, { ...options, readOnly: true }),
            options.signal
          )
        : primary.transaction(fn, options),
    copyFrom: primary.copyFrom?.bind(primary),
    openNotificationConnection: primary.openNotificationConnection?.bind(primary),
    routeRead: (onPrimary, onReplica, signal) =>
      primaryRequired() ? onPrimary() : replicas.read(onPrimary, (_db, url) => onReplica(url), signal),
    replicaStatus: () => replicas.status(),
    async close() {
      await replicas.close();
      await primary.close();
    },
  };
}
