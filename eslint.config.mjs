import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
    ],
  },
  ...baseConfig,
  {
    // The scaffold lints only the plugin's src/ as TypeScript; the gateway, the browser harness,
    // the benchmarks and the release scripts follow the same rules.
    files: ['gateway/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mts}', 'tests/**/*.ts'],
    rules: {
      // A TypeBox schema and its static type share one name (`const X = Type…; type X = Static<…>`);
      // real redeclarations are compile errors already.
      'no-redeclare': 'off',
      // `import type { … }` beside a value import from the same module is the house style.
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
    },
  },
]);
