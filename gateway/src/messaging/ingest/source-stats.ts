/** What one source has done so far: the status endpoint's and the metrics' numbers. */
export interface SourceStats {
  name: string;
  broker: string;
  table: string;
  state: 'starting' | 'running' | 'waiting_for_database' | 'reconnecting' | 'stopped';
  /** Messages received from the broker (redeliveries included). */
  received: number;
  /** Rows committed into the table. */
  storedRows: number;
  storedMessages: number;
  /** Redelivered messages whose id was already stored. */
  duplicates: number;
  deadLettered: number;
  /** Failed database writes retried. */
  retries: number;
  /** Received, not yet acknowledged. */
  inFlight: number;
  /** Waiting in the broker, where the broker reports it; null otherwise. */
  backlog: number | null;
  lastError: { message: string; at: string } | null;
}

export function emptyStats(name: string, broker: string, table: string): SourceStats {
  return {
    name,
    broker,
    table,
    state: 'starting',
    received: 0,
    storedRows: 0,
    storedMessages: 0,
    duplicates: 0,
    deadLettered: 0,
    retries: 0,
    inFlight: 0,
    backlog: null,
    lastError: null,
  };
}
