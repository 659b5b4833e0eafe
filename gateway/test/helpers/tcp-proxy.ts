import net from 'node:net';

/**
 * A TCP proxy between the gateway and a server (a broker, PostgreSQL), to make the server
 * unreachable without touching it: `down()` ends every open connection and turns new ones
 * away, `up()` lets them through again, `cut(ms)` is both with a pause between. Port 0
 * listens on a free port (then `port` is the one taken).
 */
export interface TcpProxy {
  port: number;
  down(): void;
  up(): void;
  /** Cuts the link for `ms`; resolves when it is back. */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  listenPort: number,
  targetPort: number,
  targetHost = '127.0.0.1'
): Promise<TcpProxy> {
  let open = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const proxy: TcpProxy = {
    port: (server.address() as net.AddressInfo).port,
    down() {
      open = false;
      for (const s of sockets) {
        s.destroy();
      }
    },
    up() {
      open = true;
    },
    async cut(ms) {
      proxy.down();
      await new Promise((r) => setTimeout(r, ms));
      proxy.up();
    },
    async close() {
      open = false;
      for (const s of sockets) {
        s.destroy();
      }
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}
