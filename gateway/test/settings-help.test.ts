import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagsToEnv, SETTINGS } from '../src/config';
import { flagFor, formatHelp } from '../src/help';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const CONFIG_SOURCE = readFileSync(fileURLToPath(new URL('../src/config.ts', import.meta.url)), 'utf8');
const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const names = SETTINGS.map((s) => s.name).sort();

/** Every variable loadConfig reads: `vars.NAME` and the `(vars, 'NAME'` of its readers. */
const readByLoadConfig = (): string[] => {
  const body = CONFIG_SOURCE.slice(CONFIG_SOURCE.indexOf('export function loadConfig'));
  const found = [...body.matchAll(/vars\.([A-Z][A-Z0-9_]+)|\(vars, '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]);
  return [...new Set(found)].sort();
};

/** The variable names in the first column of README's "Gateway configuration" table. */
const readmeSettings = (): string[] => {
  const section = README.slice(README.indexOf('## Gateway configuration'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| Variable')));
  const firstCells = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split('|')[1]);
  return firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])).sort();
};

describe('settings: one list for config, --help and README', () => {
  it('SETTINGS names exactly the variables loadConfig reads', () => {
    assert.deepEqual(names, readByLoadConfig());
    assert.equal(new Set(names).size, names.length, 'no setting twice');
    for (const s of SETTINGS) {
      assert.ok(s.description.length > 10 && s.default.length > 0, `${s.name} is described`);
    }
  });

  it("README's configuration table has a row for each setting and no other", () => {
    assert.deepEqual(readmeSettings(), names);
  });

  it('--help lists every setting with a flag that sets it', () => {
    const help = formatHelp();
    for (const s of SETTINGS) {
      const flag = flagFor(s.name);
      assert.ok(
        help.includes(`${flag}, ${s.name}  (default: ${s.default})\n      ${s.description}`),
        `${s.name} in --help`
      );
      assert.deepEqual(flagsToEnv([`${flag}=x`]), { [s.name]: 'x' }, `${flag} sets ${s.name}`);
    }
  });

  it('timescaledb-gateway --help prints it and exits 0, needing no token', { timeout: 400_000 }, async () => {
    for (const arg of ['--help', '-h']) {
      // Rejects on a non-zero exit; a loaded machine can take a while to compile the sources.
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, arg], {
        env: { PATH: process.env.PATH ?? '' },
        timeout: 180_000,
      });
      assert.equal(stdout.trim(), formatHelp());
    }
  });
});
