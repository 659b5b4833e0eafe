import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessagingConfig } from '../src/messaging/config-file';
import { ConfigError } from '../src/config-error';

const valid = `ingest:
  - name: sensors
    broker: nats
    url: nats://127.0.0.1:4222
    stream: SENSORS
    group: tsgw
    table: readings
    decoder:
      format: json
      rows: readings
      fields: { time: ts, value: v }
      defaults: { sensor: lab }
    batch: { rows: 500, waitMs: 100 }
  - name: influx
    broker: mqtt
    url: mqtt://127.0.0.1:1883
    topic: influx/#
    table: readings
    messageId: { header: msg-id }
    decoder: { format: line-protocol, precision: ms }
relay:
  brokers: { r: "mqtt://127.0.0.1:1883" }
`;

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseMessagingConfig(text, 'messaging.yaml'),
    (err: unknown) => err instanceof ConfigError && pattern.test(err.message)
  );
}

describe('messaging config file', () => {
  it('reads ingest sources with their defaults', () => {
    const config = parseMessagingConfig(valid, 'messaging.yaml');
    assert.equal(config.ingest.length, 2);
    const [nats, mqtt] = config.ingest;
    assert.equal(nats.broker, 'nats');
    assert.deepEqual(nats.messageId, { from: 'broker' });
    assert.equal(nats.batchRows, 500);
    assert.equal(nats.batchWaitMs, 100);
    assert.equal(nats.maxInFlight, 1000);
    assert.deepEqual(nats.decoder, {
      format: 'json',
      rows: 'readings',
      fields: { time: 'ts', value: 'v' },
      defaults: { sensor: 'lab' },
    });
    assert.deepEqual(mqtt.messageId, { from: 'header', name: 'msg-id' });
    assert.equal(mqtt.batchRows, 1000);
    assert.equal(mqtt.decoder.format, 'line-protocol');
    assert.ok(config.relay, 'the relay section is handed on');
  });

  it('reads a CSV decoder and refuses a bad delimiter or column list, naming the line', () => {
    const csvAt = (lines: string) =>
      valid.replace(
        '    decoder:\n      format: json\n      rows: readings',
        `    decoder:\n      format: csv\n${lines}`
      );
    const decoder = parseMessagingConfig(csvAt('      columns: [a, b]\n      delimiter: "|"'), 'messaging.yaml')
      .ingest[0].decoder;
    assert.deepEqual(decoder.format === 'csv' && [decoder.columns, decoder.delimiter], [['a', 'b'], '|']);
    refused(csvAt('      delimiter: ab'), /line 10: ingest\[0\]\.decoder\.delimiter: expected one character/);
    refused(csvAt('      columns: []'), /line 10: ingest\[0\]\.decoder\.columns: expected a list of column names/);
  });

  it('refuses an unknown top-level key, naming its line', () => {
    refused(`ingest: []\noutbound:\n  - x\n`, /^messaging\.yaml line 2: outbound: unknown top-level key/);
  });

  it('refuses an unknown setting of a source, naming its line', () => {
    refused(
      valid.replace(
        '    table: readings\n    decoder:\n      format: json',
        '    table: readings\n    tabel: x\n    decoder:\n      format: json'
      ),
      /line 8: ingest\[0\]\.tabel: unknown setting "tabel"/
    );
  });

  it('refuses a setting that is not one of the broker', () => {
    refused(
      valid.replace('    topic: influx/#', '    topic: influx/#\n    queue: q'),
      /line 18: ingest\[1\]\.queue: is not a setting of a mqtt source/
    );
  });

  it('refuses a missing required setting', () => {
    refused(valid.replace('    group: tsgw\n', ''), /ingest\[0\]\.group: is required for a nats source/);
  });

  it('refuses a bad number, a bad URL scheme and a YAML syntax error with their lines', () => {
    refused(valid.replace('rows: 500', 'rows: -5'), /line 13: ingest\[0\]\.batch\.rows: expected an integer from 1/);
    refused(valid.replace('nats://127', 'http://127'), /line 4: ingest\[0\]\.url: a nats URL starts with nats:\/\//);
    refused('ingest:\n  - name: [unclosed\n', /^messaging\.yaml line \d+: /);
  });

  it('refuses a broker message id on MQTT, which has none that survives a redelivery', () => {
    refused(valid.replace('messageId: { header: msg-id }', 'messageId: broker'), /line 19: .*mqtt gives no message id/);
  });

  it('refuses a source name used twice', () => {
    refused(
      valid.replace('name: influx', 'name: sensors'),
      /line 14: ingest\[1\]\.name: source name "sensors" is used twice/
    );
  });
});

const named = `brokers:
  bus: nats://127.0.0.1:4222
  cache: redis://127.0.0.1:6379/2
ingest:
  - name: sensors
    broker: bus
    stream: SENSORS
    group: tsgw
    table: readings
  - name: inline
    broker: mqtt
    url: mqtt://127.0.0.1:1883
    topic: t/#
    table: readings
`;

describe('messaging config file: named brokers', () => {
  it('lets a source name an entry of brokers:, beside the inline broker: + url: form', () => {
    const [sensors, inline] = parseMessagingConfig(named, 'messaging.yaml').ingest;
    assert.equal(sensors.broker, 'nats');
    assert.equal(sensors.url, 'nats://127.0.0.1:4222');
    assert.equal(sensors.brokerName, 'bus');
    assert.deepEqual(sensors.messageId, { from: 'broker' });
    assert.equal(inline.broker, 'mqtt');
    assert.equal(inline.url, 'mqtt://127.0.0.1:1883');
    assert.equal(inline.brokerName, null);
  });

  it('finds a name defined under relay.brokers too: one set of names for the file', () => {
    const text = `${named.replace('  bus: nats://127.0.0.1:4222\n', '')}relay:\n  brokers:\n    bus: nats://127.0.0.1:4223\n`;
    assert.equal(parseMessagingConfig(text, 'messaging.yaml').ingest[0].url, 'nats://127.0.0.1:4223');
  });

  it('refuses an unknown broker name, listing the known ones, on the line of the name', () => {
    refused(
      named.replace('broker: bus', 'broker: buss'),
      /^messaging\.yaml line 6: ingest\[0\]\.broker: no broker "buss" under brokers: \(known: bus, cache\)/
    );
  });

  it('refuses settings of another kind than the named broker, saying which kind it is and where it is defined', () => {
    refused(
      named
        .replace('broker: bus', 'broker: cache')
        .replace('    stream: SENSORS\n', '    stream: SENSORS\n    subject: s.>\n'),
      /^messaging\.yaml line 8: ingest\[0\]\.subject: is not a setting of a redis source \(broker "cache" is redis: messaging\.yaml line 3: brokers\.cache\)/
    );
    refused(
      named.replace('broker: bus\n    stream: SENSORS\n    group: tsgw', 'broker: cache\n    queue: q'),
      /line 7: ingest\[0\]\.queue: is not a setting of a redis source \(broker "cache" is redis/
    );
  });

  it('refuses a kind without url:, a url: beside a name, and a URL of the wrong kind inline', () => {
    refused(
      named.replace('    url: mqtt://127.0.0.1:1883\n', ''),
      /^messaging\.yaml line 11: ingest\[1\]\.broker: "mqtt" is a kind of broker: give its url: beside it, or name an entry of brokers: instead/
    );
    refused(
      named.replace('broker: bus\n', 'broker: bus\n    url: nats://127.0.0.1:4222\n'),
      /line 7: ingest\[0\]\.url: broker "bus" is an entry of brokers: with its own URL; drop url: here/
    );
    refused(
      named.replace('url: mqtt://127.0.0.1:1883', 'url: redis://127.0.0.1:6379'),
      /line 12: ingest\[1\]\.url: a mqtt URL starts with mqtt:\/\/ or mqtts:\/\/ or ws:\/\/ or wss:\/\//
    );
  });

  it('refuses a bad broker entry and a name used twice, with their lines', () => {
    refused(
      named.replace('cache: redis://127.0.0.1:6379/2', 'cache: 127.0.0.1:6379'),
      /^messaging\.yaml line 3: brokers\.cache: "127\.0\.0\.1:6379" is not a URL/
    );
    refused(
      named.replace('cache: redis://127.0.0.1:6379/2', 'cache: kafka://a:9092,b:x'),
      /line 3: brokers\.cache: "kafka:\/\/a:9092,b:x" is not a list of Kafka brokers/
    );
    refused(
      `${named}relay:\n  brokers:\n    bus: nats://127.0.0.1:4222\n`,
      /^messaging\.yaml line 17: relay\.brokers\.bus: broker "bus" is already defined \(messaging\.yaml line 2: brokers\.bus\)/
    );
  });

  it('reads a Kafka broker list as a named broker', () => {
    const text = `brokers:\n  log: kafka://a:9092,b:9093\ningest:\n  - { name: k, broker: log, topic: t, group: g, table: readings }\n`;
    const [source] = parseMessagingConfig(text, 'messaging.yaml').ingest;
    assert.equal(source.broker, 'kafka');
    assert.equal(source.url, 'kafka://a:9092,b:9093');
  });
});

describe('messaging.example.yaml', () => {
  it('is a valid config whose sources and routes use the named brokers', () => {
    const file = new URL('../messaging.example.yaml', import.meta.url);
    const config = parseMessagingConfig(readFileSync(file, 'utf8'), 'messaging.example.yaml');
    assert.deepEqual(
      config.ingest.map((s) => [s.name, s.broker, s.brokerName]),
      [
        ['orders-in', 'amqp', 'rabbit'],
        ['sensors-in', 'nats', 'bus'],
        ['sensors-mqtt', 'mqtt', null],
      ]
    );
    assert.equal(config.relay?.notify[0].to.broker, 'rabbit');
    assert.equal(config.relay?.outbox?.tables[0].to.kind, 'redis-stream');
  });
});
