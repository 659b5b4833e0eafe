import type { Db, NotificationConnection } from './types';
import { SerialQueue } from './serial-queue';

/**
 * The gateway's one LISTEN connection, shared by everything that waits for changes (the relay,
 * live streams): subscribers name a channel, the connection LISTENs while anyone wants it, and
 * every NOTIFY on it reaches each subscriber. The gateway's own writes can also announce
 * themselves in-process (`emit`), without a round trip through the database.
 *
 * A lost connection comes back by itself with a growing delay. NOTIFY is fire-and-forget in
 * PostgreSQL: what was sent while no connection listened is gone, so after a reconnect every
 * subscriber's `onResume` runs, for those that can look at the data itself (the outbox can).
 * Drivers without notifications (`openNotificationConnection` absent) still deliver `emit`;
 * `databaseNotifications` tells subscribers to poll there.
 */

export type NotificationOrigin = 'database' | 'local';
export type NotificationListener = (payload: string, origin: NotificationOrigin) => void;

export interface SubscribeOptions {
  /** The connection came back after a loss: notifications sent meanwhile were not received. */
  onResume?: () => void;
}

export interface NotificationsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface Subscriber {
  listener: NotificationListener;
  onResume?: () => void;
}

export interface ChangeNotificationsOptions {
  /** First and longest delay between reconnect attempts. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

export class ChangeNotifications {
  /** Whether NOTIFY from the database arrives here at all (else only `emit` does). */
  readonly databaseNotifications: boolean;

  private readonly channels = new Map<string, Set<Subscriber>>();
  /** LISTEN / UNLISTEN / (re)connect one at a time, so a channel's state never races. */
  private readonly ops = new SerialQueue();
  private connection: NotificationConnection | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private closed = false;
  private everLost = false;

  constructor(
    private readonly db: Db,
    private readonly log: NotificationsLog,
    private readonly options: ChangeNotificationsOptions = {}
  ) {
    this.databaseNotifications = db.openNotificationConnection !== undefined;
    this.retryMs = options.retryMinMs ?? 250;
  }

  /** Whether the LISTEN connection is up now (always false without database notifications). */
  get connected(): boolean {
    return this.connection !== null;
  }

  /**
   * Delivers every notification on `channel` to `listener` until the returned function is
   * called. Resolves once the channel is listened to, or, when the database cannot be reached
   * now, at once: the connection keeps trying and `onResume` runs when it is back.
   */
  async subscribe(
    channel: string,
    listener: NotificationListener,
    options: SubscribeOptions = {}
  ): Promise<() => Promise<void>> {
    if (this.closed) {
      throw new Error('Change notifications are closed');
    }
    const subscriber: Subscriber = { listener, onResume: options.onResume };
    let set = this.channels.get(channel);
    const first = !set;
    if (!set) {
      this.channels.set(channel, (set = new Set()));
    }
    set.add(subscriber);
    if (first && this.databaseNotifications) {
      await this.ops.run(() => this.listenOn(channel));
    }
    return async () => {
      const current = this.channels.get(channel);
      if (!current?.delete(subscriber) || current.size > 0) {
        return;
      }
      this.channels.delete(channel);
      await this.ops.run(async () => {
        if (this.connection && !this.channels.has(channel)) {
          await this.connection.unlisten(channel).catch(() => undefined);
        }
      });
    };
  }

  /** An in-process notification: every subscriber of `channel` gets it, the database is not asked. */
  emit(channel: string, payload: string): void {
    this.deliver(channel, payload, 'local');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.channels.clear();
    await this.ops.run(async () => {
      const connection = this.connection;
      this.connection = null;
      await connection?.close();
    });
  }

  private deliver(channel: string, payload: string, origin: NotificationOrigin): void {
    for (const s of this.channels.get(channel) ?? []) {
      try {
        s.listener(payload, origin);
      } catch (err) {
        this.log.warn({ err, channel }, 'A notification listener failed');
      }
    }
  }

  /** Runs inside `ops`. Connects first when needed; a failure leaves the retry to `scheduleReconnect`. */
  private async listenOn(channel: string): Promise<void> {
    if (!this.connection && !(await this.connect())) {
      return;
    }
    try {
      await this.connection!.listen(channel);
    } catch (err) {
      this.log.warn({ err, channel }, 'LISTEN failed; retrying with the connection');
      this.dropConnection();
    }
  }

  /** Runs inside `ops`: opens the connection and LISTENs on every wanted channel. */
  private async connect(): Promise<boolean> {
    if (this.closed) {
      return false;
    }
    let connection: NotificationConnection | undefined;
    try {
      connection = await this.db.openNotificationConnection!({
        onNotification: (channel, payload) => this.deliver(channel, payload, 'database'),
        onLost: (err) => {
          if (this.connection !== connection) {
            return;
          }
          this.log.warn({ err }, 'The LISTEN connection was lost; notifications sent until it is back are missed');
          this.dropConnection();
        },
      });
      for (const channel of this.channels.keys()) {
        await connection.listen(channel);
      }
    } catch (err) {
      await connection?.close().catch(() => undefined);
      this.log.warn({ err, retryMs: this.retryMs }, 'The LISTEN connection could not be opened; retrying');
      this.scheduleReconnect();
      return false;
    }
    if (this.closed) {
      await connection.close();
      return false;
    }
    this.connection = connection;
    this.retryMs = this.options.retryMinMs ?? 250;
    if (this.everLost) {
      this.log.info({ channels: [...this.channels.keys()] }, 'The LISTEN connection is back');
      for (const set of this.channels.values()) {
        for (const s of set) {
          s.onResume?.();
        }
      }
    }
    return true;
  }

  private dropConnection(): void {
    const old = this.connection;
    this.connection = null;
    this.everLost = true;
    void old?.close().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.everLost = true;
    if (this.closed || this.retryTimer) {
      return;
    }
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.ops.run(async () => {
        if (!this.connection && this.channels.size > 0) {
          await this.connect();
        }
      });
    }, delay);
    this.retryTimer.unref();
  }
}
