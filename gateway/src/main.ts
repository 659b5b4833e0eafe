import { buildApp } from './app';
import { loadConfig } from './config';
import closeWithGrace from 'close-with-grace';

/** After the drain: closing the database pools and the embedded database (a checkpoint). */
const CLOSE_MARGIN_MS = 5000;
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
  if (app.demoToken) {
    console.log(`Demo token: ${app.demoToken}`);
  }
  if (config.examplePages) {
    console.log(`Example pages: ${examplePageUrls(`http://${host}:${port}`).join('  ')}`);
  }

  // SIGTERM / SIGINT drain within SHUTDOWN_GRACE_MS (plugins/drain.ts); close-with-grace exits
  // hard a little later should closing itself hang, and closes the same way on a crash.
  closeWithGrace({ delay: config.shutdownGraceMs + CLOSE_MARGIN_MS, logger: app.log }, async ({ signal, err }) => {
    if (err) {
      app.log.error({ err }, 'unexpected error: shutting down');
    } else {
      app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    }
    await app.drainAndClose(config.shutdownGraceMs);
  });
}

main().catch((err) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`The gateway could not start: ${message}`);
  process.exit(1);
});
