import { defineConfig } from 'tsup';

// One ESM bundle of our own code; dependencies stay in node_modules (PGlite ships
// its WASM and extension archives as files that must be loaded from its package).
export default defineConfig({
  entry: ['src/main.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  sourcemap: true,
  clean: true,
});
