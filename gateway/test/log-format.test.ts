import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config';
import { loggerOptions, wantsPrettyLogs } from '../src/plugins/logger-options';
import { startGatewayProcess } from './helpers/gateway-process';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TOKENS = { GATEWAY_TOKENS: 'ops:ops-secret-123:read' };

describe('log format (LOG_FORMAT)', () => {
  it('is pretty when asked, or by default in demo mode or on a terminal; JSON otherwise', () => {
    const cases: Array<[Record<string, string>, boolean, boolean]> = [
      [{ ...TOKENS }, false, false],
      [{ ...TOKENS }, true, true],
      [{ GATEWAY_DEMO: 'true' }, false, true],
      [{ ...TOKENS, LOG_FORMAT: 'pretty' }, false, true],
      [{ GATEWAY_DEMO: 'true', LOG_FORMAT: 'json' }, true, false],
    ];
    for (const [env, terminal, pretty] of cases) {
      assert.equal(wantsPrettyLogs(loadConfig(env), terminal), pretty, JSON.stringify({ env, terminal }));
    }
    assert.throws(
      () => loadConfig({ ...TOKENS, LOG_FORMAT: 'xml' }),
      /LOG_FORMAT must be one of auto, pretty, json, got "xml"/
    );
  });

  it('json leaves pino its JSON lines; pretty gives it a pino-pretty stream', () => {
    assert.deepEqual(loggerOptions({ logFormat: 'json', logLevel: 'debug', demo: true }, true), { level: 'debug' });
    const pretty = loggerOptions({ logFormat: 'pretty', logLevel: 'info', demo: false }, false) as {
      level: string;
      stream?: { write: unknown };
    };
    assert.equal(pretty.level, 'info');
    assert.equal(typeof pretty.stream?.write, 'function');
  });

  it('writes readable lines from a real gateway process with LOG_FORMAT=pretty', { timeout: 300_000 }, async () => {
    const gw = await startGatewayProcess({
      entry: MAIN,
      cleanEnv: true,
      env: { ...TOKENS, DATA_DIR: 'memory://', LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' },
      timeoutMs: 240_000,
    });
    try {
      // The "listening" banner and pino's own line about it come in either order.
      for (let i = 0; i < 100 && !/INFO.*Server listening/.test(gw.output()); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(
        gw.output(),
        /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO.*: Server listening at http:\/\/127\.0\.0\.1:\d+$/m
      );
      assert.doesNotMatch(gw.output(), /^\{"level"/m);
    } finally {
      await gw.stop();
    }
  });
});
