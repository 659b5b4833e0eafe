import { createRequire } from 'node:module';

// Read at run time so the built bundle reports the installed package's version.
const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const path of ['../package.json', './package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'timescaledb-gateway' && pkg.version) {
        return pkg.version;
      }
    } catch {
      // try the next location (src/ in development, dist/ when built)
    }
  }
  return '0.0.0';
}

export const GATEWAY_VERSION = readVersion();
