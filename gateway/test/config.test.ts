import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagsToEnv, loadConfig } from '../src/config';
import { findToken, hashToken } from '../src/auth';

describe('configuration', () => {
  it('refuses to start without tokens unless in demo mode', () => {
    assert.throws(() => loadConfig({}), /No access token configured/);
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true' }).demo, true);
    assert.equal(loadConfig({}, ['--demo']).demo, true);
  });

  it('applies the documented defaults', () => {
    const c = loadConfig({ GATEWAY_TOKENS: 'a:secret-123:read' });
    assert.deepEqual(
      {
        port: c.port,
        host: c.host,
        dataDir: c.dataDir,
        timeout: c.statementTimeoutMs,
        def: c.defaultRowLimit,
        max: c.maxRowLimit,
        body: c.bodyLimit,
        metrics: c.metricsPublic,
        db: c.databaseUrl,
      },
      {
        port: 8080,
        host: '127.0.0.1',
        dataDir: './data',
        timeout: 30000,
        def: 1000,
        max: 100000,
        body: 64 * 1024 * 1024,
        metrics: true,
        db: undefined,
      }
    );
  });

  it('reads flags over environment variables', () => {
    assert.deepEqual(flagsToEnv(['--port', '9000', '--data-dir=/x', '--demo', '--tokens-file', 'f.json']), {
      PORT: '9000',
      DATA_DIR: '/x',
      GATEWAY_DEMO: 'true',
      GATEWAY_TOKENS_FILE: 'f.json',
    });
    const c = loadConfig({ PORT: '1', GATEWAY_TOKENS: 'a:secret-123:read' }, [
      '--port=0',
      '--statement-timeout-ms',
      '500',
    ]);
    assert.equal(c.port, 0);
    assert.equal(c.statementTimeoutMs, 500);
  });

  it('rejects bad numbers and booleans with the variable name', () => {
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: 'a:secret-123:read', PORT: 'http' }), /PORT must be an integer/);
    assert.throws(
      () => loadConfig({ GATEWAY_TOKENS: 'a:secret-123:read', METRICS_PUBLIC: 'maybe' }),
      /METRICS_PUBLIC must be true or false/
    );
    assert.throws(
      () => loadConfig({ GATEWAY_TOKENS: 'a:secret-123:read', DEFAULT_ROW_LIMIT: '10', MAX_ROW_LIMIT: '5' }),
      /above MAX_ROW_LIMIT/
    );
  });

  it('parses GATEWAY_TOKENS entries with scopes and table lists, keeping only hashes', () => {
    const c = loadConfig({
      GATEWAY_TOKENS: 'grafana:s3cret-value:read,sql ; ingest:another-secret:write:sensor_data,other.t',
    });
    assert.deepEqual(c.tokens, [
      { name: 'grafana', sha256: hashToken('s3cret-value'), scopes: ['read', 'sql'] },
      { name: 'ingest', sha256: hashToken('another-secret'), scopes: ['write'], tables: ['sensor_data', 'other.t'] },
    ]);
    assert.ok(!JSON.stringify(c).includes('s3cret-value'));
  });

  it('rejects malformed token entries', () => {
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: 'justaname' }), /name:secret:scope/);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: 'a:secret-123:fly' }), /unknown scope "fly"/);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: 'a:short:read' }), /at least 8 characters/);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS: 'a:secret-123:read;a:secret-456:read' }), /configured twice/);
  });

  it('reads a tokens file with plain or pre-hashed secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(
      file,
      JSON.stringify([
        { name: 'plain', token: 'plain-secret-1', scopes: ['read'] },
        { name: 'hashed', sha256: hashToken('hashed-secret-1'), scopes: ['admin'], tables: ['x'] },
      ])
    );
    const c = loadConfig({ GATEWAY_TOKENS_FILE: file });
    assert.equal(findToken(c.tokens, 'plain-secret-1')?.name, 'plain');
    assert.equal(findToken(c.tokens, 'hashed-secret-1')?.name, 'hashed');
    assert.deepEqual(findToken(c.tokens, 'hashed-secret-1')?.tables, ['x']);
    assert.equal(findToken(c.tokens, 'hashed-secret-2'), undefined);
    writeFileSync(file, '{"not": "an array"}');
    assert.throws(() => loadConfig({ GATEWAY_TOKENS_FILE: file }), /JSON array/);
    assert.throws(() => loadConfig({ GATEWAY_TOKENS_FILE: join(dir, 'missing.json') }), /cannot be read/);
  });

  it('grants the cost-guard bypass only to tokens configured with allowExpensive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(
      file,
      JSON.stringify([{ name: 'reports', token: 'reports-secret-1', scopes: ['read'], allowExpensive: true }])
    );
    const c = loadConfig({
      GATEWAY_TOKENS: 'panel:panel-secret-1:read;bulk:bulk-secret-01:read',
      GATEWAY_EXPENSIVE_TOKENS: 'bulk',
      GATEWAY_TOKENS_FILE: file,
    });
    assert.equal(findToken(c.tokens, 'panel-secret-1')?.allowExpensive, undefined);
    assert.equal(findToken(c.tokens, 'bulk-secret-01')?.allowExpensive, true);
    assert.equal(findToken(c.tokens, 'reports-secret-1')?.allowExpensive, true);
    assert.throws(
      () => loadConfig({ GATEWAY_TOKENS: 'panel:panel-secret-1:read', GATEWAY_EXPENSIVE_TOKENS: 'pannel' }),
      /GATEWAY_EXPENSIVE_TOKENS names "pannel", which is not a configured token/
    );
    writeFileSync(
      file,
      JSON.stringify([{ name: 'reports', token: 'reports-secret-1', scopes: ['read'], allowExpensive: 'yes' }])
    );
    assert.throws(() => loadConfig({ GATEWAY_TOKENS_FILE: file }), /"allowExpensive" must be true or false/);
  });
});
