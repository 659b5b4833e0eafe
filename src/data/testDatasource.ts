import type { TestDataSourceResponse } from '@grafana/data';
import type { InfoResponse } from 'timescaledb-gateway/contract';

import { labels } from 'labels';

import { isTimeout, LocalErrorCode, type GatewayError } from './gatewayClient';

/** Scopes a data source token should not hold: every panel viewer acts with the token through the data proxy. */
const RISKY_SCOPES = ['write', 'admin'] as const;

/** "Save & test" succeeded: what runs behind the gateway and what the token may do (a warning when it may do too much). */
export const describeInfo = (info: InfoResponse): TestDataSourceResponse => {
  const { gateway, database, token } = info;
  const timescale = database.timescaledb ? `TimescaleDB ${database.timescaledb.version}` : labels.test.noTimescale;
  const scopes = token.scopes.length ? token.scopes.join(', ') : labels.test.noScopes;
  const tables = token.tables?.length ? ` ${labels.test.tablesPrefix} ${token.tables.join(', ')}` : '';
  const missingSql = token.scopes.includes('sql') || token.scopes.includes('admin') ? '' : ` ${labels.test.noSqlScope}`;
  const risky = RISKY_SCOPES.filter((s) => token.scopes.includes(s));
  const message = `${labels.test.connected} Gateway ${gateway.version} · PostgreSQL ${database.postgresVersion} · ${timescale} · token "${token.name}" (${scopes})${tables}.${missingSql}`;
  if (risky.length) {
    return { status: 'warning', message: `${message} ${labels.test.tooPowerful(risky)}` };
  }
  return { status: 'success', message };
};

/** "Save & test" failed: say which of unreachable, timed out, bad token or missing rights it was. */
export const describeTestFailure = (error: GatewayError, url: string): TestDataSourceResponse => {
  let message: string;
  if (error.code === LocalErrorCode.unreachable) {
    message = `${labels.test.unreachable(url)}${error.status ? ` (HTTP ${error.status})` : ''}`;
  } else if (isTimeout(error)) {
    message = labels.test.timedOut(url);
  } else if (error.code === 'unauthorized') {
    message = labels.test.unauthorized;
  } else if (error.code === 'forbidden' || error.code === 'http_403') {
    message = `${labels.test.forbidden} ${error.message}`;
  } else {
    message = `${labels.test.failed} HTTP ${error.status}: ${error.message}`;
  }
  return { status: 'error', message, details: { message: `${error.code}: ${error.message}` } };
};
