import { createTemplateSrv } from '__testing__/templateSrv';

import {
  formatSqlVariable,
  interpolateBoundValue,
  interpolateSql,
  quoteLiteral,
  searchFilterScopedVars,
} from './sqlInterpolation';

describe('formatSqlVariable (Grafana PostgreSQL quoting)', () => {
  it('doubles quotes of a single value but adds none around it', () => {
    expect(formatSqlVariable("o'brien", { multi: false, includeAll: false })).toBe("o''brien");
  });

  it('quotes a string of a multi-value or All variable', () => {
    expect(formatSqlVariable("o'brien", { multi: true })).toBe("'o''brien'");
    expect(formatSqlVariable('a', { includeAll: true })).toBe("'a'");
  });

  it('joins a list as quoted literals separated by commas', () => {
    expect(formatSqlVariable(['a', "b'c"], { multi: true })).toBe("'a','b''c'");
  });

  it('keeps numbers as numbers', () => {
    expect(formatSqlVariable(42, { multi: true })).toBe(42);
  });

  it('treats Grafana built-ins (no variable model) as single values', () => {
    expect(formatSqlVariable('1m')).toBe('1m');
  });
});

describe('interpolateSql', () => {
  const templateSrv = createTemplateSrv([
    { name: 'sensor', value: ['s1', "s'2"], multi: true },
    { name: 'room', value: "lab'a" },
  ]);

  it('turns a multi-value variable into an IN list', () => {
    expect(interpolateSql(templateSrv, 'WHERE sensor_id IN ($sensor)')).toBe("WHERE sensor_id IN ('s1','s''2')");
  });

  it('lets a single value sit inside quotes written in the SQL', () => {
    expect(interpolateSql(templateSrv, "WHERE room = '$room'")).toBe("WHERE room = 'lab''a'");
  });

  it('honours an explicit format such as ${var:csv}', () => {
    expect(interpolateSql(templateSrv, '${sensor:csv}')).toBe("s1,s'2");
  });

  it('prefers scoped variables (repeated panels) over the dashboard value', () => {
    expect(interpolateSql(templateSrv, "'$room'", { room: { text: 'x', value: 'b' } })).toBe("'b'");
  });
});

describe('interpolateBoundValue', () => {
  const templateSrv = createTemplateSrv([
    { name: 'sensor', value: ['s1', 's2'], multi: true },
    { name: 'one', value: 's3' },
  ]);

  it('expands a lone multi-value variable into a list (for IN)', () => {
    expect(interpolateBoundValue(templateSrv, '$sensor')).toEqual(['s1', 's2']);
  });

  it('keeps single values and surrounding text as plain strings without SQL quoting', () => {
    expect(interpolateBoundValue(templateSrv, '$one')).toBe('s3');
    expect(interpolateBoundValue(templateSrv, "x-$one-'")).toBe("x-s3-'");
  });

  it('leaves text without variables alone', () => {
    expect(interpolateBoundValue(templateSrv, 'plain')).toBe('plain');
  });
});

describe('quoteLiteral', () => {
  it('cannot be escaped by a quote in the value', () => {
    expect(quoteLiteral("'; DROP TABLE x; --")).toBe("'''; DROP TABLE x; --'");
  });
});

describe('$__searchFilter in SQL variable queries (Grafana’s getSearchFilterScopedVar)', () => {
  const templateSrv = createTemplateSrv([]);
  const sql = "SELECT sensor_id FROM sensor_data WHERE sensor_id LIKE '$__searchFilter'";

  it('becomes what the user typed followed by %, quotes doubled', () => {
    expect(interpolateSql(templateSrv, sql, searchFilterScopedVars(sql, "se'n"))).toBe(
      "SELECT sensor_id FROM sensor_data WHERE sensor_id LIKE 'se''n%'"
    );
  });

  it('becomes % when nothing is typed', () => {
    expect(interpolateSql(templateSrv, sql, searchFilterScopedVars(sql))).toContain("LIKE '%'");
  });

  it('adds nothing to a query that does not mention it', () => {
    expect(searchFilterScopedVars('SELECT 1', 'x')).toEqual({});
  });
});
