import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDatabase } from './helpers/test-context';

/** Resolves with the first `count` payloads `subscribe` hands over, or rejects after `ms`. */
function collect(count: number, ms = 10_000) {
  const got: Array<{ payload: string; origin: string }> = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const listener = (payload: string, origin: string) => {
    got.push({ payload, origin });
    if (got.length === count) {
      done();
    }
  };
  const wait = () =>
    Promise.race([
      finished.then(() => got),
      new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(new Error(`only ${got.length} of ${count} notifications within ${ms} ms: ${JSON.stringify(got)}`)),
          ms
        ).unref()
      ),
    ]);
  return { listener, wait, got };
}

forEachDatabase((ctx) => {
  it('delivers a NOTIFY sent by a trigger when its transaction commits, and none from a rolled-back one', async () => {
    const { app } = ctx();
    const c = collect(2);
    const unsubscribe = await app.notifications.subscribe('Mixed Case channel', c.listener);
    await app.db.query(`CREATE TABLE notify_t (a int)`);
    await app.db.query(
      `CREATE FUNCTION notify_t_f() RETURNS trigger AS $$ BEGIN PERFORM pg_notify('Mixed Case channel', NEW.a::text); RETURN NEW; END $$ LANGUAGE plpgsql`
    );
    await app.db.query(
      `CREATE TRIGGER notify_t_tr AFTER INSERT ON notify_t FOR EACH ROW EXECUTE FUNCTION notify_t_f()`
    );
    await app.db.transaction(async (tx) => void (await tx.query(`INSERT INTO notify_t VALUES (1)`)));
    await app.db
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO notify_t VALUES (99)`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await app.db.query(`INSERT INTO notify_t VALUES (2)`);
    const got = await c.wait();
    assert.deepEqual(got, [
      { payload: '1', origin: 'database' },
      { payload: '2', origin: 'database' },
    ]);
    await unsubscribe();
    await app.db.query(`INSERT INTO notify_t VALUES (3)`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.got.length, 2, 'nothing arrives after unsubscribing');
  });

  it('delivers in-process events to every subscriber of the channel', async () => {
    const { app } = ctx();
    const a = collect(1);
    const b = collect(1);
    const offA = await app.notifications.subscribe('local_channel', a.listener);
    const offB = await app.notifications.subscribe('local_channel', b.listener);
    app.notifications.emit('local_channel', 'hello');
    assert.deepEqual(await a.wait(), [{ payload: 'hello', origin: 'local' }]);
    assert.deepEqual(await b.wait(), [{ payload: 'hello', origin: 'local' }]);
    await offA();
    await offB();
  });

  it('comes back by itself after the LISTEN session is killed, and tells subscribers to catch up', async (t) => {
    const { app, driver } = ctx();
    if (driver !== 'postgres') {
      return t.skip('the embedded database has no other session that could kill it');
    }
    const c = collect(1, 20_000);
    let resumed = 0;
    const off = await app.notifications.subscribe('resume_channel', c.listener, { onResume: () => resumed++ });
    await app.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'timescaledb-gateway-listen' AND datname = current_database()`
    );
    const deadline = Date.now() + 15_000;
    while (resumed === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(resumed, 1, 'onResume ran once the connection was back');
    await app.db.query(`SELECT pg_notify('resume_channel', 'after')`);
    assert.deepEqual(await c.wait(), [{ payload: 'after', origin: 'database' }]);
    await off();
  });
});
