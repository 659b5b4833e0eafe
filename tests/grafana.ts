import { test } from '@grafana/plugin-e2e';

/** Set by playwright.config.ts when a Grafana answered at GRAFANA_URL. */
export const grafanaUrl = process.env.TSGW_E2E_GRAFANA;

/** Call at the top of a spec file: without Grafana its tests are skipped, not failed. */
export const skipWithoutGrafana = () =>
  test.skip(
    !grafanaUrl,
    `no Grafana answers at ${process.env.GRAFANA_URL || 'http://localhost:3000'}: start the stack with docker compose up`
  );

/** The provisioned data source (provisioning/datasources/datasources.yml). */
export const PROVISIONED_FILE = 'datasources.yml';
