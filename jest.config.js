// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

const LIVE = '\\.live\\.test\\.tsx?$';

// Some of Grafana's ESM-only dependencies ship .mjs files, and @grafana/plugin-ui
// pulls in an ESM-only expression library; yaml's browser build (jsdom) is ESM too:
// compile them like the rest.
const swc = Object.values(base.transform)[0];
const shared = {
  ...base,
  rootDir: __dirname,
  transform: { ...base.transform, '^.+\\.mjs$': swc },
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@marcbachmann/cel-js', 'yaml'])],
};

/**
 * Two projects: the plugin's unit and editor tests (jsdom), and the tests against a
 * live gateway (`*.live.test.ts`), which start one gateway process in a global setup
 * — Jest runs a project's global setup only when one of its tests is selected.
 */
module.exports = {
  // Live tests wait on real HTTP and the embedded database.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'plugin',
      testPathIgnorePatterns: ['/node_modules/', LIVE],
    },
    {
      ...shared,
      displayName: 'live',
      testMatch: ['<rootDir>/src/**/*.live.test.{ts,tsx}'],
      testEnvironment: '<rootDir>/src/__testing__/jsdomWithFetch.js',
      globalSetup: '<rootDir>/src/__testing__/liveGlobalSetup.ts',
      globalTeardown: '<rootDir>/src/__testing__/liveGlobalTeardown.ts',
    },
  ],
};
