import type { Readable } from 'node:stream';
import { errorCodes } from 'fastify';
import { ApiError } from '../errors';

/**
 * A request body handed to the handler while it is still arriving, so rows can be written
 * before the last byte is in. Holds the same line as Fastify's own body reader: the body
 * limit (413; the Content-Length check happens before, in the content-type parser), and a
 * body cut short is an error.
 *
 * The bytes are taken off the socket as soon as they come, whatever the consumer is doing
 * (waiting for the database to start COPY, say), and every chunk is kept: the body limit
 * bounds them, the client is never held back, and the whole text is still there for a
 * request that has to fall back to reading it at once.
 */
export class RequestBody {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  /** Chunks handed out by next() so far. */
  private taken = 0;
  private ended = false;
  private failure: Error | null = null;
  /** Readers waiting for the next chunk or the end. */
  private waiting: Array<() => void> = [];

  constructor(
    private readonly stream: Readable,
    /** Media type without parameters, lower case. */
    readonly contentType: string,
    private readonly limit: number
  ) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  /** Every byte has arrived. */
  get complete(): boolean {
    return this.ended;
  }

  /** The next chunk, or null at the end of the body. */
  async next(): Promise<Buffer | null> {
    while (this.taken === this.chunks.length) {
      if (this.failure) {
        throw this.failure;
      }
      if (this.ended) {
        return null;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return this.chunks[this.taken++];
  }

  /** Every chunk of the body, once the last byte is in. */
  async chunksAll(): Promise<readonly Buffer[]> {
    while ((await this.next()) !== null) {}
    return this.chunks;
  }

  /** The whole body as UTF-8 text, once the last byte is in. */
  async text(): Promise<string> {
    while ((await this.next()) !== null) {}
    return this.chunks.length === 1
      ? this.chunks[0].toString('utf8')
      : Buffer.concat(this.chunks, this.bytes).toString('utf8');
  }

  private readonly onData = (data: Buffer | string) => {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.fail(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    this.chunks.push(chunk);
    this.notify();
  };

  private readonly onEnd = () => {
    this.ended = true;
    this.detach();
    this.notify();
  };

  private readonly onError = (err: Error) => {
    this.fail(
      new ApiError('incomplete_body', 'The request body ended before it was complete', { reason: err.message })
    );
  };

  private readonly onClose = () => {
    if (!this.ended) {
      this.onError(new Error('connection closed'));
    }
  };

  private fail(err: Error): void {
    if (this.failure || this.ended) {
      return;
    }
    this.failure = err;
    // Stop reading: the answer is an error, and the connection is closed after it.
    this.detach();
    this.stream.pause();
    this.notify();
  }

  private detach(): void {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onClose);
    // An 'error' listener stays, so a late socket error is not an uncaught exception.
  }

  private notify(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) {
      wake();
    }
  }
}
