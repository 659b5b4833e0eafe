import type { TestDataSourceResponse } from '@grafana/data';
import type { InfoResponse } from 'timescaledb-gateway/contract';

import { labels } from 'labels';

import type { GatewayError } from './gatewayClient';

/** "Save & test" succeeded: what runs behind the gateway and what the token may do. */
export const describeInfo = (info: InfoResponse): TestDataSourceResponse => {
  const { gateway, database, token } = info;
  const timescale = database.timescaledb ? `TimescaleDB ${database.timescaledb.version}` : labels.test.noTimescale;
  const scopes = token.scopes.length ? token.scopes.join(', ') : labels.test.noScopes;
  const tables = token.tables?.length ? ` ${labels.test.tablesPrefix} ${token.tables.join(', ')}` : '';
  const missingSql = token.scopes.includes('sql') || token.scopes.includes('admin') ? '' : ` ${labels.test.noSqlScope}`;
  return {
    status: 'success',
    message: `${labels.test.connected} Gateway ${gateway.version} · PostgreSQL ${database.postgresVersion} · ${timescale} · token "${token.name}" (${scopes})${tables}.${missingSql}`,
  };
};

/** "Save & test" failed: say which of unreachable, bad token or missing rights it was. */
export const describeTestFailure = (error: GatewayError, url: string): TestDataSourceResponse => {
  let message: string;
  if (error.code === 'unreachable') {
    message = `${labels.test.unreachable(url)} (${error.status ? `HTTP ${error.status}` : error.message})`;
  } else if (error.status === 401) {
    message = `${labels.test.unauthorized} ${error.message}`;
  } else if (error.status === 403) {
    message = `${labels.test.forbidden} ${error.message}`;
  } else {
    message = `${labels.test.failed} HTTP ${error.status}: ${error.message}`;
  }
  return { status: 'error', message, details: { message: `${error.code}: ${error.message}` } };
};
