import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateTimeZone } from '../src/time/time-range';
import { ApiError } from '../src/errors';

const refused = (zone: string) =>
  assert.throws(
    () => validateTimeZone(zone),
    (err) => err instanceof ApiError && err.code === 'invalid_timezone',
    zone
  );

describe('time zone names', () => {
  it('accepts IANA names, the same answer when a name is checked again', () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(validateTimeZone('Europe/Paris'), 'Europe/Paris');
      assert.equal(validateTimeZone(' America/New_York '), 'America/New_York');
      assert.equal(validateTimeZone('Etc/UTC'), 'UTC');
      assert.equal(validateTimeZone(undefined), 'UTC');
    }
  });

  it('refuses unknown names every time, also after known ones were remembered', () => {
    for (let i = 0; i < 3; i++) {
      refused('Mars/Olympus_Mons');
      refused('browser');
      refused("UTC'; DROP TABLE x; --");
      assert.equal(validateTimeZone('Asia/Tokyo'), 'Asia/Tokyo');
    }
  });
});
