/**
 * What the relay hands a broker adapter. Each adapter keeps one connection, opens it on first
 * use and again after it broke (the relay retries with backoff), and resolves `publish` only
 * once the broker confirmed every message: a publish that cannot be confirmed in time drops
 * the connection, so nothing buffered in it is sent later behind the relay's retry.
 */
export interface OutboundMessage {
  /** The body: JSON text. */
  body: string;
  /** A stable id consumers can dedupe on (the outbox id); absent for NOTIFY payloads. */
  id?: string;
  /** The body as an object, when it is one: Redis stream entries take its top-level fields. */
  fields?: Record<string, unknown>;
}

export interface BrokerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Publisher<Target> {
  publish(target: Target, messages: readonly OutboundMessage[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A timeout error that says what was waited for. */
export class PublishTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} not confirmed within ${ms} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/** `promise`, or a PublishTimeoutError after `ms` (then `onTimeout` runs: drop the connection). */
export async function confirmWithin<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => void
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new PublishTimeoutError(what, ms));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
