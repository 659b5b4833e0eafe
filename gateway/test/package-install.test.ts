import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../src/config';
import { startGatewayProcess } from './helpers/gateway-process';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GATEWAY_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'gateway', 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  files: string[];
};
const NPM_TIMEOUT_MS = 300_000;

/**
 * The gateway as people install it: `npm pack` of the workspace (its prepack builds dist/),
 * installed into an empty folder with npm (the local cache first), then started with npx.
 */
describe('the packed gateway, installed into an empty folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-package-'));
  const app = join(dir, 'app');
  let packedFiles: string[] = [];

  before(
    async () => {
      // npm's JSON comes last, after what prepack's build printed (colour codes hold '[' too).
      const packed = await run('npm', ['pack', '--workspace', 'gateway', '--pack-destination', dir, '--json'], {
        cwd: REPO_ROOT,
        timeout: NPM_TIMEOUT_MS,
        maxBuffer: 64 << 20,
      });
      const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[\s*$/m))) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      packedFiles = info.files.map((f) => f.path);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'try-the-gateway', private: true }));
      await run(
        'npm',
        ['install', join(dir, info.filename), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
        { cwd: app, timeout: NPM_TIMEOUT_MS }
      );
    },
    { timeout: 2 * NPM_TIMEOUT_MS }
  );
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the build, the pages and the manifest, not the sources or tests', () => {
    for (const path of [
      'package.json',
      'dist/main.js',
      'dist/embedded-worker.js',
      'pages/plotly.html',
      'pages/d3.html',
    ]) {
      assert.ok(packedFiles.includes(path), `${path} is packed`);
    }
    assert.deepEqual(
      packedFiles.filter((p) => /^(src|test|bench)\//.test(p)),
      [],
      'no sources or tests'
    );
  });

  it('npx timescaledb-gateway --help lists every setting', async () => {
    const { stdout } = await run('npx', ['timescaledb-gateway', '--help'], { cwd: app, timeout: 60_000 });
    for (const s of SETTINGS) {
      assert.ok(stdout.includes(s.name), `${s.name} in --help`);
    }
  });

  // The installed bin itself, the file npx runs: npx does not pass SIGTERM on, so the test
  // could not stop the gateway it started through it.
  it(
    'timescaledb-gateway --demo serves /health, the example pages and their libraries, with readable logs',
    { timeout: 450_000 },
    async () => {
      const gw = await startGatewayProcess({
        command: [join(app, 'node_modules', '.bin', 'timescaledb-gateway')],
        args: ['--demo', '--port', '0', '--data-dir', 'memory://'],
        cwd: app,
        cleanEnv: true,
        env: { HOME: process.env.HOME ?? dir },
        timeoutMs: 400_000,
      });
      try {
        assert.deepEqual(await (await fetch(`${gw.url}/health`)).json(), { status: 'ok' });
        for (const path of ['/examples/plotly.html', '/examples/vendor/plotly.min.js', '/examples/vendor/d3.min.js']) {
          assert.equal((await fetch(`${gw.url}${path}`)).status, 200, path);
        }
        const info = await fetch(`${gw.url}/api/v1/info`, { headers: { authorization: `Bearer ${gw.demoToken}` } });
        assert.equal(info.status, 200);
        // Demo mode logs for a person: pino-pretty's "[time] INFO: message" lines, no JSON.
        assert.match(gw.output(), /\] INFO.*: Server listening at/);
        assert.doesNotMatch(gw.output(), /^\{"level"/m);
      } finally {
        await gw.stop();
      }
    }
  );

  it('the Dockerfile runs the same entry as the bin and copies every packed folder', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'gateway', 'Dockerfile'), 'utf8');
    const cmd = /^CMD \[(.*)\]$/m.exec(dockerfile)?.[1];
    assert.equal(cmd, `"node", "gateway/${GATEWAY_PACKAGE.bin['timescaledb-gateway']}"`);
    for (const folder of GATEWAY_PACKAGE.files) {
      assert.match(
        dockerfile,
        new RegExp(`^COPY .*gateway/${folder} gateway/${folder}$`, 'm'),
        `${folder} is in the image`
      );
    }
  });
});
