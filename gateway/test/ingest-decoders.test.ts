import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { messageDecoder } from '../src/messaging/ingest/decoders/decode-message';
import { DecodeError } from '../src/messaging/ingest/decoders/decode-error';

describe('ingest decoders', () => {
  it('maps JSON fields to columns by path and fills defaults', () => {
    const decode = messageDecoder({
      format: 'json',
      rows: 'readings',
      fields: { time: 'ts', sensor: 'device.id', value: 'v' },
      defaults: { sensor: 'unknown', site: 'lab' },
    });
    const out = decode(
      Buffer.from(
        JSON.stringify({
          id: 7,
          readings: [
            { ts: 1, device: { id: 'a' }, v: 2 },
            { ts: 2, v: 3 },
          ],
        })
      )
    );
    assert.deepEqual(out.rows, [
      { time: 1, sensor: 'a', value: 2, site: 'lab' },
      { time: 2, value: 3, sensor: 'unknown', site: 'lab' },
    ]);
    assert.equal(out.field('id'), 7);
  });

  it('takes an object or an array of objects as rows, and refuses the rest', () => {
    const decode = messageDecoder({ format: 'json', defaults: {} });
    assert.deepEqual(decode(Buffer.from('{"a":1}')).rows, [{ a: 1 }]);
    assert.deepEqual(decode(Buffer.from('[{"a":1},{"a":2}]')).rows, [{ a: 1 }, { a: 2 }]);
    assert.throws(
      () => decode(Buffer.from('[1]')),
      (e) => e instanceof DecodeError && /row 0 is not a JSON object/.test(e.message)
    );
    assert.throws(
      () => decode(Buffer.from('{"a":')),
      (e) => e instanceof DecodeError && /^not JSON/.test(e.message)
    );
  });

  it('reads InfluxDB line protocol: escapes, types, precision', () => {
    const decode = messageDecoder({
      format: 'line-protocol',
      timeColumn: 'time',
      precision: 'ns',
      measurementColumn: 'm',
      defaults: {},
    });
    const { rows } = decode(
      Buffer.from(
        '# comment\nweather,city=New\\ York,kind=a\\,b temp=21.5,count=3i,ok=t,note="say \\"hi\\"" 1732492800123456789\n'
      )
    );
    assert.deepEqual(rows, [
      {
        city: 'New York',
        kind: 'a,b',
        temp: 21.5,
        count: 3,
        ok: true,
        note: 'say "hi"',
        m: 'weather',
        time: '2024-11-25T00:00:00.123456Z',
      },
    ]);
    const ms = messageDecoder({ format: 'line-protocol', timeColumn: 't', precision: 'ms', defaults: {} });
    assert.equal(ms(Buffer.from('cpu v=1 1732492800123')).rows[0].t, '2024-11-25T00:00:00.123000Z');
    assert.throws(
      () => ms(Buffer.from('cpu v=1\ncpu')),
      (e) => e instanceof DecodeError && /line 2: expected a space before the fields/.test(e.message)
    );
  });
  it('reads CSV with its own header line or configured columns; an empty field is NULL', () => {
    const headed = messageDecoder({ format: 'csv', delimiter: ',', defaults: { site: 'lab' } });
    assert.deepEqual(headed(Buffer.from('\ufeffa,b\r\n1,"x,""y"""\r\n2,\r\n')).rows, [
      { a: '1', b: 'x,"y"', site: 'lab' },
      { a: '2', b: null, site: 'lab' },
    ]);
    const mapped = messageDecoder({
      format: 'csv',
      delimiter: ';',
      columns: ['n', 'v'],
      fields: { id: 'n', value: 'v' },
      defaults: {},
    });
    assert.deepEqual(mapped(Buffer.from('7;1.5\n')).rows, [{ id: '7', value: '1.5' }]);
    // A line longer than the header: csv-parse refuses it itself when the header is the first line…
    assert.throws(
      () => headed(Buffer.from('a,b\n1,2,3\n')),
      (e) => e instanceof DecodeError && /^not CSV: .*Invalid Record Length/.test(e.message)
    );
    // …and the decoder does, against the configured columns.
    assert.throws(
      () => mapped(Buffer.from('7;1.5;x\n')),
      (e) => e instanceof DecodeError && e.message === 'line 1 has 3 fields, the header 2'
    );
    assert.throws(
      () => headed(Buffer.from('a,b\n"1,2\n')),
      (e) => e instanceof DecodeError && /^not CSV/.test(e.message)
    );
    assert.throws(
      () => headed(Buffer.from('')),
      (e) => e instanceof DecodeError && /no header line/.test(e.message)
    );
  });
});
