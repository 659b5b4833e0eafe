/**
 * The order the gateway's folders import in. A read request runs as stages:
 *
 *   routes/ (parse + validate) → query/ (orchestrates) → catalog/ (plan) → sql/ (text + params)
 *   → db/ (execute) → frames/ (shape the result)
 *
 * Each stage folder may import only the shared layers below it (contract/, the base files,
 * time/, pg/, limits/) and the stages it names here; query/ is the one place that calls them in
 * turn. Checked by `npm run deps` and by test/dependency-order.test.ts.
 */

// Shared by every stage: the wire contract and the one error type.
const BASE = ['^src/contract/', '^src/(errors|config-error|worker-script|version)\\.ts$'];
// Pure helpers with no I/O: time arithmetic, PostgreSQL's text rules, size bounds.
const SHARED = [...BASE, '^src/time/', '^src/pg/', '^src/limits/'];

/** A rule that lets files under `folder` import only their own folder and `allowed`. */
function only(name, comment, folder, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^src/${folder}/` },
    to: { path: '^src/', pathNot: [`^src/${folder}/`, ...allowed] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle means neither module can be read, tested or moved without the other; stages stop being stages.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'contract-stands-alone',
      comment: 'The plugin imports gateway/src/contract at run time: it must not pull in any gateway code.',
      severity: 'error',
      from: { path: '^src/contract/' },
      to: { path: '^src/', pathNot: '^src/contract/' },
    },
    {
      name: 'base-stands-alone',
      comment: 'errors.ts and the other base files are imported by every stage, so they may import only the contract.',
      severity: 'error',
      from: { path: '^src/(errors|config-error|worker-script|version)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/contract/' },
    },
    only(
      'time-is-pure',
      'Durations, the bucket grammar and time ranges are arithmetic every stage shares: no stage may leak in.',
      'time',
      BASE
    ),
    only(
      'pg-is-pure',
      "PostgreSQL's text rules (quoting, its parser, value text) are used by the drivers and the SQL stage alike.",
      'pg',
      BASE
    ),
    only(
      'limits-are-pure',
      'The size bounds are checked by the SQL, frames and query stages: they sit below all of them.',
      'limits',
      [...BASE, '^src/time/']
    ),
    only(
      'catalog-plans-without-sql',
      'The plan stage resolves tables and columns from the database (db/) and knows nothing of how SQL is written from them.',
      'catalog',
      [...SHARED, '^src/db/']
    ),
    only(
      'sql-is-pure',
      'SQL text + params from a planned query and nothing else: no database, no frames, no routes, so every builder rule is unit-testable.',
      'sql',
      [...SHARED, '^src/catalog/']
    ),
    only(
      'db-only-executes',
      'The drivers run statements they are given; they never build SQL from a query, plan, or shape results.',
      'db',
      SHARED
    ),
    only(
      'frames-shape-rows',
      'Frames are shaped from result rows alone: the SQL that produced them, the driver and the route stay out.',
      'frames',
      SHARED
    ),
    {
      name: 'routes-on-top',
      comment:
        'Routes parse and validate requests and call the stages; nothing below a route may reach back up into one.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/routes/', '^src/(app|main)\\.ts$'] },
      to: { path: '^src/routes/' },
    },
  ],
  options: {
    // Type-only imports count: a stage that names another stage's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/.*\\.d\\.ts$' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
