/**
 * `npm run package`'s archive, unpacked the way `grafana cli --pluginUrl <zip> plugins install`
 * reads it: one top folder named after the plugin id, module.js and plugin.json in it, and a
 * plugin.json whose version and Grafana dependency are set. Needs dist/ (`npm run build`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import yauzl from 'yauzl';

import { REPO_ROOT, REQUIRED_FILES } from './package-plugin.mjs';

const run = promisify(execFile);
const PLUGIN_ID = 'tsgw-timescaledb-datasource';
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Every entry of a zip with its bytes, read with yauzl one entry after another. */
function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, strictFileNames: true }, (openErr, zip) => {
      if (openErr) {
        return reject(openErr);
      }
      const out = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) {
            return reject(streamErr);
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('the plugin archive (npm run package)', () => {
  const out = mkdtempSync(join(tmpdir(), 'plugin-zip-'));
  after(() => rmSync(out, { recursive: true, force: true }));

  it('holds one folder named after the plugin id, with what Grafana loads, and checksums that match', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'package-plugin.mts'), '--out', out],
      { cwd: REPO_ROOT }
    );
    const zipPath = join(out, `${PLUGIN_ID}-${version}.zip`);
    assert.match(stdout, new RegExp(`${PLUGIN_ID}-${version.replace(/\./g, '\\.')}\\.zip`));

    const entries = await readZip(zipPath);
    const names = [...entries.keys()];
    assert.deepEqual([...new Set(names.map((n) => n.split('/')[0]))], [PLUGIN_ID], 'a single top folder');
    for (const file of REQUIRED_FILES) {
      assert.ok(entries.has(`${PLUGIN_ID}/${file}`), `${file} in the archive`);
    }
    assert.ok(entries.get(`${PLUGIN_ID}/module.js`)!.length > 10_000, 'module.js is the built plugin');
    assert.equal(
      entries.get(`${PLUGIN_ID}/module.js`)!.toString('base64'),
      readFileSync(join(REPO_ROOT, 'dist', 'module.js')).toString('base64'),
      'the archive carries dist/ as built'
    );

    const plugin = JSON.parse(entries.get(`${PLUGIN_ID}/plugin.json`)!.toString('utf8'));
    assert.equal(plugin.id, PLUGIN_ID);
    assert.equal(plugin.info.version, version, "plugin.json's version is package.json's");
    assert.match(plugin.dependencies.grafanaDependency, /^>=\d+\.\d+\.\d+/);
    assert.doesNotMatch(JSON.stringify(plugin), /%VERSION%|%TODAY%/);
    assert.match(entries.get(`${PLUGIN_ID}/CHANGELOG.md`)!.toString('utf8'), /^# Changelog/m);

    const zipBytes = readFileSync(zipPath);
    for (const algorithm of ['md5', 'sha256']) {
      const line = readFileSync(`${zipPath}.${algorithm}`, 'utf8');
      assert.equal(
        line,
        `${createHash(algorithm).update(zipBytes).digest('hex')}  ${basename(zipPath)}\n`,
        `${algorithm} file`
      );
    }
    // The format sha256sum -c reads.
    const check = await run('sha256sum', ['-c', `${basename(zipPath)}.sha256`], { cwd: out });
    assert.match(check.stdout, /: OK/);
  });

  it('refuses a dist/ that is not a built plugin', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'plugin-dist-'));
    try {
      await assert.rejects(
        run(
          process.execPath,
          ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'package-plugin.mts'), '--dist', empty, '--out', out],
          { cwd: REPO_ROOT }
        ),
        (err: { stderr: string }) => /has no plugin\.json: run `npm run build` first/.test(err.stderr)
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
