import net from 'node:net';

/**
 * A TCP proxy in front of a broker, to cut the link without touching the broker: `cut(ms)`
 * ends every open connection and turns new ones away for that long, then lets them through again.
 */
export async function startTcpProxy(listenPort: number, targetPort: number, targetHost = '127.0.0.1') {
  const sockets = new Set<net.Socket>();
  let cutUntil = 0;
  const server = net.createServer((client) => {
    if (Date.now() < cutUntil) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(listenPort, '127.0.0.1', () => resolve()));
  return {
    port: listenPort,
    /** Cuts the link for `ms`; resolves when it is back. */
    async cut(ms: number): Promise<void> {
      cutUntil = Date.now() + ms;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, ms));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
