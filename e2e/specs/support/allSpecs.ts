/**
 * `npm run test:browser` runs this one file: it loads every spec in e2e/specs, so all of
 * them run in one test process and share its Chromium, gateway and page servers
 * (./sharedStack) instead of starting their own per file and per runtime.
 * The specs are required synchronously on purpose: node:test ends the run (and stops
 * the shared stack) once the suites registered so far are done, so a suite registered
 * after an `await` would find everything stopped.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SPEC_DIR = join(__dirname, '..');

for (const file of readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()) {
  require(join(SPEC_DIR, file));
}
