import { defineConfig } from 'tsup';

// One ESM bundle of our own code; dependencies stay in node_modules (PGlite ships
// its WASM and extension archives as files that must be loaded from its package).
// The worker threads (the embedded database's, the SQL check's) are loaded by path, so each is
// an entry of its own, built next to main.js (src/worker-script.ts looks for them there).
export default defineConfig({
  entry: {
    main: 'src/main.ts',
    'embedded-worker': 'src/db/embedded-worker.ts',
    'statement-check-worker': 'src/sql/statement-check-worker.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  sourcemap: true,
  // main.js is the package's `bin` (timescaledb-gateway); the line is harmless in the worker.
  banner: { js: '#!/usr/bin/env node' },
  clean: true,
});
