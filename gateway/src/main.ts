import { buildApp } from './app';
import { loadConfig } from './config';
import { formatHelp, wantsHelp } from './help';
import { examplePageUrls } from './routes/examples';

/** CLI entry: configuration, build, listen, and a clean shutdown on SIGINT / SIGTERM. */
async function main(): Promise<void> {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(formatHelp());
    return;
  }
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if ((err as Error).name === 'ConfigError') {
      console.error(`Configuration error: ${(err as Error).message}`);
      process.exit(2);
    }
    throw err;
  }

  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`TimescaleDB gateway listening on http://${host}:${port}`);
  if (app.demoToken) console.log(`Demo token: ${app.demoToken}`);
  if (config.examplePages) console.log(`Example pages: ${examplePageUrls(`http://${host}:${port}`).join('  ')}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`The gateway could not start: ${message}`);
  process.exit(1);
});
