import assert from 'node:assert/strict';

/**
 * Two query answers hold the same frames: same fields (names, types, labels), same times, and
 * numbers equal to a relative tolerance (sums added in another order differ in the last bits).
 */
export function assertSameFrames(actual: any[], expected: any[], relTol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: frame count`);
  for (let f = 0; f < expected.length; f++) {
    const a = actual[f];
    const e = expected[f];
    const shape = (x: any) =>
      x.schema.fields.map((fl: any) => ({ name: fl.name, type: fl.type, labels: fl.labels ?? null }));
    assert.deepEqual(shape(a), shape(e), `${what}: fields of frame ${f}`);
    const av: unknown[][] = a.data.values;
    const ev: unknown[][] = e.data.values;
    assert.equal(av.length, ev.length, `${what}: columns of frame ${f}`);
    for (let c = 0; c < ev.length; c++) {
      assert.equal(av[c].length, ev[c].length, `${what}: rows of frame ${f} (${e.schema.fields[c].name})`);
      for (let r = 0; r < ev[c].length; r++) {
        const x = av[c][r];
        const y = ev[c][r];
        const where = `${what}: frame ${f} field ${e.schema.fields[c].name} row ${r}`;
        const nx = typeof x === 'string' && e.schema.fields[c].type === 'number' ? Number(x) : x;
        const ny = typeof y === 'string' && e.schema.fields[c].type === 'number' ? Number(y) : y;
        if (typeof nx === 'number' && typeof ny === 'number') {
          const scale = Math.max(1, Math.abs(nx), Math.abs(ny));
          assert.ok(Math.abs(nx - ny) <= relTol * scale, `${where}: ${x} vs ${y}`);
        } else {
          assert.deepEqual(x, y, where);
        }
      }
    }
  }
}
