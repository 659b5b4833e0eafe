import { ERROR_CODE_NAMES, ERROR_CODES } from 'timescaledb-gateway/contract/error-codes';

import { liveGateway } from '__testing__/liveDataSource';

/** Every schema node of the document that carries an `x-http-status`, as code → status. */
const statusesIn = (node: unknown, found = new Map<string, number[]>()): Map<string, number[]> => {
  if (Array.isArray(node)) {
    node.forEach((child) => statusesIn(child, found));
  } else if (typeof node === 'object' && node !== null) {
    const schema = node as Record<string, unknown>;
    const code = schema.const ?? (Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined);
    if (typeof schema['x-http-status'] === 'number' && typeof code === 'string') {
      found.set(code, [...(found.get(code) ?? []), schema['x-http-status']]);
    }
    Object.values(schema).forEach((child) => statusesIn(child, found));
  }
  return found;
};

describe('the running gateway’s /openapi.json', () => {
  it('lists every code of the contract’s catalogue with the catalogue’s status, and no other', async () => {
    const response = await fetch(`${liveGateway().url}/openapi.json`);
    expect(response.ok).toBe(true);
    const statuses = statusesIn(await response.json());
    expect([...statuses.keys()].sort()).toEqual([...ERROR_CODE_NAMES].sort());
    for (const code of ERROR_CODE_NAMES) {
      expect({ code, statuses: [...new Set(statuses.get(code))] }).toEqual({
        code,
        statuses: [ERROR_CODES[code].status],
      });
    }
  });
});
