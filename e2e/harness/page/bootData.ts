/**
 * What Grafana's server writes into `window.grafanaBootData` before any of its code runs.
 * `@grafana/runtime` reads it once, on first import, to build `config` — so this module
 * must not import @grafana/* itself.
 */
import { harnessRuntime } from './runtimeInfo';

export const harnessBootData = {
  assets: { dark: '', light: '' },
  navTree: [],
  settings: {
    appUrl: `${window.location.origin}/`,
    appSubUrl: '',
    buildInfo: {
      version: harnessRuntime.grafana,
      commit: 'harness',
      env: 'production',
      edition: 'Open Source',
      latestVersion: '',
      hasUpdate: false,
      hideVersion: false,
    },
    datasources: {},
    defaultDatasource: 'tsgw-harness',
    featureToggles: {},
    minRefreshInterval: '5s',
    dateFormats: undefined,
    panels: {},
    apps: {},
    auth: {},
    licenseInfo: { stateInfo: '', licenseUrl: '', edition: 'Open Source', enabledFeatures: {} },
    unifiedAlerting: {},
    rendererAvailable: false,
  },
  user: {
    id: 1,
    uid: 'admin',
    login: 'admin',
    name: 'admin',
    email: 'admin@localhost',
    orgId: 1,
    orgName: 'Main Org.',
    orgRole: 'Admin',
    isGrafanaAdmin: true,
    isSignedIn: true,
    theme: 'dark',
    timezone: 'utc',
    weekStart: 'monday',
    locale: 'en-US',
    language: 'en-US',
    permissions: {},
  },
};
