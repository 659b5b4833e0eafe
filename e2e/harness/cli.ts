/**
 * `npm run harness`: builds what is stale, starts the gateway and the host page, and
 * prints where to click. `--port <n>` (or HARNESS_PORT) pins the page's port.
 */
import { startHarness } from './stack';

const portArg = process.argv.indexOf('--port');
const port = Number(portArg > 0 ? process.argv[portArg + 1] : (process.env.HARNESS_PORT ?? 0));

startHarness({ port, log: (line) => console.log(line) })
  .then((harness) => {
    console.log('');
    console.log(`Plugin harness:        ${harness.url}/query`);
    console.log(`Data source settings:  ${harness.url}/config`);
    console.log(`Gateway:               ${harness.gatewayUrl}  (token with read,sql: ${harness.token})`);
    console.log('Ctrl+C stops everything.');
    const stop = () => {
      harness.stop().finally(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  })
  .catch((err: Error) => {
    console.error(`The harness could not start: ${err.message}`);
    process.exit(1);
  });
