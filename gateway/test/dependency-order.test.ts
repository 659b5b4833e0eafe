import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const gatewayDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = join(gatewayDir, '.dependency-cruiser.cjs');
const depcruise = join(gatewayDir, 'node_modules', '.bin', 'depcruise');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: Array<{ name: string }>;
}

/** Runs the same check as `npm run deps` over `dir`'s src/ and returns what it found. */
async function cruise(dir: string): Promise<Violation[]> {
  // depcruise exits non-zero when it finds violations; the JSON report is printed either way.
  const out = await run(depcruise, ['src', '--config', config, '--output-type', 'json'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => {
    if (!err.stdout) {
      throw err;
    }
    return { stdout: err.stdout };
  });
  return (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const describeViolation = (v: Violation) =>
  `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

describe('the gateway imports in stage order', () => {
  it('has no import cycle and no import against the stage order in src/', async () => {
    const violations = await cruise(gatewayDir);
    assert.deepEqual(violations.map(describeViolation), []);
  });

  it('reports a cycle, SQL reaching into the driver and frames reaching into SQL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stage-order-'));
    try {
      const files: Record<string, string> = {
        'tsconfig.json': '{ "compilerOptions": { "module": "ESNext", "moduleResolution": "Bundler" } }',
        'src/sql/builder.ts': "import { run } from '../db/driver';\nexport const build = () => run('SELECT 1');\n",
        'src/db/driver.ts':
          "import { build } from '../sql/builder';\nexport const run = (sql: string) => sql + String(build);\n",
        'src/frames/shape.ts': "import { build } from '../sql/builder';\nexport const shape = () => build();\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const found = (await cruise(dir)).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
      assert.ok(found.includes('sql-is-pure: src/sql/builder.ts → src/db/driver.ts'), found.join('\n'));
      assert.ok(found.includes('db-only-executes: src/db/driver.ts → src/sql/builder.ts'), found.join('\n'));
      assert.ok(found.includes('frames-shape-rows: src/frames/shape.ts → src/sql/builder.ts'), found.join('\n'));
      assert.ok(
        found.some((v) => v.startsWith('no-circular:')),
        found.join('\n')
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
