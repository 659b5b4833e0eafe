import { Redis } from 'ioredis';
import type { BrokerConsumer, InboundMessage, MessageSink } from '../ingest/inbound-message';
import { Backoff, sleep } from './backoff';
import type { ConsumerOptions } from './consumer-options';
import { consumerName } from './consumer-options';

/** Entries pending longer than this on another consumer are taken over (it is presumed dead). */
const CLAIM_IDLE_MS = 30_000;
const CLAIM_EVERY_MS = 10_000;
const BLOCK_MS = 1000;

type Entry = [Buffer, Buffer[]];

/**
 * Redis Streams: a consumer group (`group`, created at the stream's start when missing) with
 * this gateway as one consumer (`clientId` + instance, the same after a restart). On start
 * it first re-reads its own pending entries (delivered before a crash, never acked); then
 * new entries with XREADGROUP, at most as many as the pipeline has room for; every 10 s
 * XAUTOCLAIM takes over entries another consumer left pending for 30 s. XACK after commit.
 * Reads block on their own connection; acks and claims use a second one.
 */
export class RedisConsumer implements BrokerConsumer {
  private reader: Redis | null = null;
  private commands: Redis | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly options: ConsumerOptions) {}

  async start(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    // The acks of a batch are sent without waiting for each other: one round trip in effect.
    const connection = { lazyConnect: true, maxRetriesPerRequest: null };
    this.commands = new Redis(config.url, connection);
    this.reader = new Redis(config.url, connection);
    for (const r of [this.commands, this.reader]) {
      r.on('error', (err) => sink.brokerError(err));
    }
    await this.commands.connect();
    await this.reader.connect();
    try {
      await this.commands.xgroup('CREATE', config.stream!, config.group!, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) {
        throw err;
      }
    }
    this.loop = this.run(sink);
  }

  async backlog(): Promise<number | null> {
    const groups = (await this.commands?.xinfo('GROUPS', this.options.config.stream!)) as unknown[][] | undefined;
    for (const g of groups ?? []) {
      const info = pairs(g);
      if (info.name === this.options.config.group) {
        return typeof info.lag === 'number' ? info.lag : null;
      }
    }
    return null;
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.reader?.disconnect();
    await this.loop?.catch(() => undefined);
    await this.commands?.quit().catch(() => this.commands?.disconnect());
  }

  private async run(sink: MessageSink): Promise<void> {
    const { config } = this.options;
    const me = consumerName(this.options);
    const backoff = new Backoff(200, 5000);
    let ownPendingDone = false;
    let lastClaim = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (!ownPendingDone) {
          // Id 0: this consumer's own delivered-but-unacked entries, until there are none.
          const entries = await this.read(me, '0', false);
          if (entries.length === 0) {
            ownPendingDone = true;
          }
          for (const e of entries) {
            await sink.push(this.inbound(e));
          }
          continue;
        }
        if (Date.now() - lastClaim > CLAIM_EVERY_MS) {
          lastClaim = Date.now();
          await this.claimAbandoned(me, sink);
        }
        for (const e of await this.read(me, '>', true)) {
          await sink.push(this.inbound(e));
        }
        backoff.reset();
      } catch (err) {
        if (this.abort.signal.aborted) {
          return;
        }
        sink.brokerError(err);
        await sleep(backoff.next(), this.abort.signal);
      }
    }
  }

  private async read(me: string, from: string, block: boolean): Promise<Entry[]> {
    const { config } = this.options;
    const count = String(Math.min(config.maxInFlight, 1000));
    const args: Array<string | number> = ['GROUP', config.group!, me, 'COUNT', count];
    if (block) {
      args.push('BLOCK', BLOCK_MS);
    }
    args.push('STREAMS', config.stream!, from);
    // One stream asked for: ioredis 6 answers [name, entries] (older ones [[name, entries]]).
    const reply = (await this.reader!.callBuffer('XREADGROUP', ...args)) as
      [Buffer, Entry[]] | Array<[Buffer, Entry[]]> | null;
    if (!reply) {
      return [];
    }
    return (
      (Buffer.isBuffer(reply[0]) ? (reply as [Buffer, Entry[]])[1] : (reply as Array<[Buffer, Entry[]]>)[0]?.[1]) ?? []
    );
  }

  private async claimAbandoned(me: string, sink: MessageSink): Promise<void> {
    const { config } = this.options;
    let cursor = '0-0';
    do {
      const reply = (await this.commands!.callBuffer(
        'XAUTOCLAIM',
        config.stream!,
        config.group!,
        me,
        CLAIM_IDLE_MS,
        cursor,
        'COUNT',
        100
      )) as [Buffer, Array<Entry | null>];
      cursor = reply[0].toString();
      for (const e of reply[1]) {
        if (e && e[1]) {
          await sink.push(this.inbound(e));
        }
      }
    } while (cursor !== '0-0' && !this.abort.signal.aborted);
  }

  private inbound([rawId, fields]: Entry): InboundMessage {
    const { config } = this.options;
    const id = rawId.toString();
    const byName = new Map<string, Buffer>();
    for (let i = 0; i + 1 < fields.length; i += 2) {
      byName.set(fields[i].toString(), fields[i + 1]);
    }
    return {
      payload: byName.get(config.payloadField) ?? Buffer.alloc(0),
      brokerId: id,
      header: (name) => byName.get(name)?.toString(),
      origin: config.stream!,
      ack: async () => {
        await this.commands!.xack(config.stream!, config.group!, id);
      },
    };
  }
}

/** XINFO's flat [key, value, key, value…] reply as an object. */
function pairs(list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) {
    out[String(list[i])] = list[i + 1];
  }
  return out;
}
