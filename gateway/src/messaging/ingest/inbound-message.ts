/**
 * One message as every broker adapter hands it to the ingest pipeline, and what the
 * pipeline needs back: `ack()` once its rows (or its dead letter) are committed. Nothing is
 * acknowledged before; a message never acked is redelivered by its broker.
 */
export interface InboundMessage {
  payload: Buffer;
  /** The broker's own id of the message (stream sequence, entry id, partition/offset, AMQP message_id); null when it has none. */
  brokerId: string | null;
  /** A header / user property / entry field by name. */
  header(name: string): string | undefined;
  /** Topic, subject, queue or stream it came from (kept with a dead letter). */
  origin: string;
  ack(): Promise<void> | void;
  /**
   * Settles a message whose dead letter is committed, where the broker has a dead-letter queue
   * of its own: AMQP rejects it without requeue, so the queue's dead-letter exchange gets it
   * (RabbitMQ drops it, as an ack would, when the queue has none). Absent: acked like any other.
   */
  deadLetter?(): Promise<void> | void;
}

/** Where an adapter delivers. `push` resolves once there is room for another message. */
export interface MessageSink {
  push(message: InboundMessage): Promise<void>;
  /** The adapter lost its broker connection and is reconnecting (status only). */
  brokerError(err: unknown): void;
}

/** A broker adapter: consumes from its broker, acknowledging only what the sink acks. */
export interface BrokerConsumer {
  start(sink: MessageSink): Promise<void>;
  /** Messages waiting in the broker for this consumer (lag), where the broker tells it. */
  backlog?(): Promise<number | null>;
  close(): Promise<void>;
}
