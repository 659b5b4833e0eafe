import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { EXAMPLE_PAGES_DIR } from '../src/example-pages-dir';

const TOKENS = 'reader:reader-secret-0001:read';
const start = (env: Record<string, string>) =>
  buildApp(loadConfig({ GATEWAY_TOKENS: TOKENS, LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...env }));

describe('example pages (EXAMPLE_PAGES)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await start({ EXAMPLE_PAGES: 'true' });
  });
  after(async () => app?.close());

  it('serves the pages without a token, under a strict Content-Security-Policy', async () => {
    for (const page of ['plotly.html', 'd3.html', '']) {
      const res = await app.inject({ url: `/examples/${page}` });
      assert.equal(res.statusCode, 200, page);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval script');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.match(csp, /form-action 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    assert.equal((await app.inject({ url: '/examples' })).statusCode, 301, '/examples redirects to /examples/');
  });

  it('serves Plotly and D3 from their npm packages, not from a CDN', async () => {
    const plotly = await app.inject({ url: '/examples/vendor/plotly.min.js' });
    assert.equal(plotly.statusCode, 200);
    assert.match(String(plotly.headers['content-type']), /javascript/);
    assert.match(plotly.body.slice(0, 2000), /plotly\.js v\d+\.\d+\.\d+/);
    const d3 = await app.inject({ url: '/examples/vendor/d3.min.js' });
    assert.equal(d3.statusCode, 200);
    assert.match(d3.body.slice(0, 500), /d3js\.org v7/);
    assert.equal((await app.inject({ url: '/examples/vendor/package.json' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/examples/vendor/..%2F..%2Fpackage.json' })).statusCode, 404);
  });

  it('keeps the data API behind the token', async () => {
    assert.equal((await app.inject({ url: '/api/v1/catalog' })).statusCode, 401);
  });

  it('has no inline script, inline style or off-site URL in its files', () => {
    for (const file of readdirSync(EXAMPLE_PAGES_DIR)) {
      const text = readFileSync(join(EXAMPLE_PAGES_DIR, file), 'utf8');
      // (An SVG's xmlns is a name, not a place the browser goes.)
      assert.doesNotMatch(
        text.replaceAll('http://www.w3.org/2000/svg', ''),
        /https?:\/\//,
        `${file} names no other site`
      );
      if (!file.endsWith('.html')) {
        continue;
      }
      for (const tag of text.match(/<script\b[^>]*>/g) ?? []) {
        assert.match(tag, /\bsrc="/, `${file}: ${tag} loads a file`);
      }
      assert.doesNotMatch(text, /<style\b|\sstyle=|\son[a-z]+=/i, `${file} has no inline style or handler`);
    }
  });
});

describe('example pages off', () => {
  it('are not served unless EXAMPLE_PAGES or demo mode turns them on', async () => {
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true' }).examplePages, true);
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true', EXAMPLE_PAGES: 'false' }).examplePages, false);
    const app = await start({});
    try {
      assert.equal(app.config.examplePages, false);
      assert.equal((await app.inject({ url: '/examples/plotly.html' })).statusCode, 401);
    } finally {
      await app.close();
    }
  });
});
