/**
 * `npm run harness`: builds what is stale, starts the gateway and the host page, and
 * prints where to click. `--port <n>` (or HARNESS_PORT) pins the page's port;
 * `--runtime <name>` (or HARNESS_RUNTIME) picks the Grafana frontend the plugin is
 * hosted in: grafana-13.1 (React 18, the default) or grafana-13.2 (React 19).
 */
import { BUILD_RUNTIME, parseRuntimeNames, RUNTIME_NAMES } from './runtimes';
import { startHarness } from './stack';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};

const port = Number(flag('--port') ?? process.env.HARNESS_PORT ?? 0);
const runtimes = parseRuntimeNames(flag('--runtime') ?? process.env.HARNESS_RUNTIME, [BUILD_RUNTIME]);
if (runtimes.length !== 1) {
  console.error(`npm run harness hosts one runtime at a time: --runtime ${RUNTIME_NAMES.join(' | ')}`);
  process.exit(2);
}

startHarness({ runtime: runtimes[0], port, log: (line) => console.log(line) })
  .then((harness) => {
    console.log('');
    console.log(
      `Runtime:               ${harness.runtime} (Grafana ${harness.versions.grafana}, React ${harness.versions.react})`
    );
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
