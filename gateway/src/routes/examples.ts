import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';
import { EXAMPLE_PAGES_DIR } from '../example-pages-dir';

/** Where the example pages live, and the two the start banner names. */
export const EXAMPLES_PREFIX = '/examples/';
export const examplePageUrls = (origin: string): string[] =>
  ['plotly.html', 'd3.html'].map((page) => `${origin}${EXAMPLES_PREFIX}${page}`);

/**
 * The pages may run only this gateway's own files and talk only to it: no inline script, no
 * plugins, no framing, and forms submit nowhere (the token must not end in a URL). Inline
 * style stays refused except two exact texts Plotly inserts, allowed by their hashes:
 * - the empty <style> it adds and then fills through CSSOM (insertRule, which CSP does not
 *   restrict): plotly.js's own way of working under a strict style-src;
 * - the map library stylesheet its bundle inserts at load. Its hash belongs to the pinned
 *   plotly.js-dist-min version: after an update, the browser test names the new hash.
 */
const PLOTLY_STYLE_HASHES = [
  "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", // '' (empty)
  "'sha256-2GF9hCGTDj/GGFNlQA54jDdMGl2fvoeZmZjAvBSiAtM='", // maplibre-gl CSS in plotly.js-dist-min 4.1.2
];

export const EXAMPLE_PAGES_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${PLOTLY_STYLE_HASHES.join(' ')}`,
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The browser builds of the chart libraries, served from their npm packages (no CDN). */
const VENDOR_FILES: Record<string, { pkg: string; file: string }> = {
  'plotly.min.js': { pkg: 'plotly.js-dist-min', file: 'plotly.min.js' },
  'd3.min.js': { pkg: 'd3', file: 'dist/d3.min.js' },
};

/** An installed package's folder: up from its resolved entry to the package.json that names it. */
function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`The package ${pkg} is not installed next to the gateway`);
    }
    dir = parent;
  }
}

/**
 * The Plotly and D3 example pages under /examples/ (EXAMPLE_PAGES; on in demo mode). Static
 * files with no data: public, like /health. The pages ask for a token and call the REST API.
 */
export const examplesRoutes: FastifyPluginAsync = async (app) => {
  if (!app.config.examplePages) {
    return;
  }
  const vendor = Object.fromEntries(
    Object.entries(VENDOR_FILES).map(([name, { pkg, file }]) => {
      const path = join(packageDir(pkg), file);
      return [name, { dir: dirname(path), file: path.slice(dirname(path).length + 1) }];
    })
  );

  // This plugin's own scope: its routes are public and carry the pages' security headers.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), public: true };
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', EXAMPLE_PAGES_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
  });

  await app.register(fastifyStatic, { root: EXAMPLE_PAGES_DIR, prefix: EXAMPLES_PREFIX, schemaHide: true });
  app.get(EXAMPLES_PREFIX.slice(0, -1), { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect(EXAMPLES_PREFIX, 301)
  );
  app.get(`${EXAMPLES_PREFIX}vendor/:file`, { schema: { hide: true } }, async (request, reply) => {
    const entry = vendor[(request.params as { file: string }).file];
    if (!entry) {
      return reply.callNotFound();
    }
    return reply.sendFile(entry.file, entry.dir);
  });
};
