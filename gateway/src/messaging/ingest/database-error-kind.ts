/**
 * Whether a failed write is the message's fault (a value the database refuses: bisect and
 * dead-letter it) or the database's (connection lost, serialization failure, shutdown, disk
 * full, timeout: wait and retry, acknowledging nothing). Only SQLSTATE classes that one row
 * can cause count as the message's: anything else is retried, so nothing is dead-lettered
 * because the database was having a bad moment.
 */
const MESSAGE_FAULT = /^(21|22|23|2F|42|0A|P0)/;

export function isMessageFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && MESSAGE_FAULT.test(code);
}
