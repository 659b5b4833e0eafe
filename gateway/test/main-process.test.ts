import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from './helpers/gateway-process';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Starts `main.ts` as its own process, from a clean environment, and waits for the "listening" line. */
const startGateway = (env: Record<string, string>) =>
  startGatewayProcess({ entry: MAIN, cleanEnv: true, env: { LOG_LEVEL: 'warn', ...env }, timeoutMs: 60_000 });

function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('the gateway process', () => {
  it('refuses to start without a token, saying how to configure one', async () => {
    const { code, stderr } = await runToExit({ DATA_DIR: 'memory://' });
    assert.notEqual(code, 0);
    assert.match(stderr, /No access token configured.*GATEWAY_TOKENS/s);
  });

  it('starts in demo mode: prints URL and token, seeds demo data, keeps the token, stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-demo-'));
    try {
      const first = await startGateway({ GATEWAY_DEMO: 'true', DATA_DIR: dataDir });
      assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(first.demoToken && first.demoToken.length >= 20);
      assert.equal(readFileSync(join(dataDir, 'demo-token'), 'utf8').trim(), first.demoToken);
      const auth = { authorization: `Bearer ${first.demoToken}` };

      const catalog = (await (await fetch(`${first.url}/api/v1/catalog`, { headers: auth })).json()) as {
        tables: Array<{ name: string; kind: string }>;
      };
      assert.deepEqual(catalog.tables.map((t) => `${t.name}:${t.kind}`).sort(), [
        'measurements:table',
        'sales_data:table',
        'sensor_data:hypertable',
      ]);

      // 7 days at 10 s = 60,481 readings per sensor (both ends included), 5 sensors, ending now.
      const perSensor = (await (
        await fetch(
          `${first.url}/timescaledb/data/sensor_data?bucket=30d&agg=count&columns=sensor_id,temperature&order=sensor_id`,
          { headers: auth }
        )
      ).json()) as Array<{
        sensor_id: string;
        temperature: number;
      }>;
      assert.equal(perSensor.length, 5);
      assert.equal(
        perSensor.reduce((s, r) => s + r.temperature, 0),
        5 * 60_481
      );
      const latest = (await (
        await fetch(`${first.url}/timescaledb/data/sensor_data?limit=5`, { headers: auth })
      ).json()) as Array<{ timestamp: string; temperature: number; humidity: number }>;
      assert.ok(Date.now() - Date.parse(latest[0].timestamp) < 60_000, 'the series ends now');
      for (const r of latest) {
        assert.ok(r.temperature > 5 && r.temperature < 40, `temperature ${r.temperature}`);
        assert.ok(r.humidity > 20 && r.humidity < 90, `humidity ${r.humidity}`);
      }
      assert.equal(await first.stop(), 0);

      const second = await startGateway({ GATEWAY_DEMO: 'true', DATA_DIR: dataDir });
      assert.equal(second.demoToken, first.demoToken, 'the demo token survives a restart');
      const sales = (await (
        await fetch(`${second.url}/timescaledb/data/sales_data?limit=1`, {
          headers: { authorization: `Bearer ${second.demoToken}` },
        })
      ).json()) as unknown[];
      assert.equal(sales.length, 1);
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses configured tokens instead of a demo token', async () => {
    const gw = await startGateway({
      DATA_DIR: 'memory://',
      GATEWAY_TOKENS: 'ops:ops-secret-123:read',
      GATEWAY_SEED: 'true',
    });
    assert.equal(gw.demoToken, undefined);
    const info = (await (
      await fetch(`${gw.url}/api/v1/info`, { headers: { authorization: 'Bearer ops-secret-123' } })
    ).json()) as { token: { name: string } };
    assert.equal(info.token.name, 'ops');
    assert.equal(
      (
        await fetch(`${gw.url}/timescaledb/data/sales_data?limit=1`, {
          headers: { authorization: 'Bearer ops-secret-123' },
        })
      ).status,
      200
    );
    assert.equal(await gw.stop(), 0);
  });
});
