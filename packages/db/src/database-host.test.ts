import { describe, expect, it } from 'vitest';
import { databaseHost } from './database-host.js';

describe('databaseHost', () => {
  it.each([
    ['postgresql://u:p@localhost:5432/app', 'localhost'],
    ['postgres://u:p@127.0.0.1/app', '127.0.0.1'],
    ['postgresql://u:p@[::1]:5432/app', '::1'],
    ['postgresql:///app', 'localhost'],
    ['postgresql://u:p@/app', 'localhost'],
    ['postgresql://%2Fvar%2Frun%2Fpostgresql/app', '/var/run/postgresql'],
    ['postgresql://u:p@example.com/app?host=/var/run/postgresql', '/var/run/postgresql'],
    ['socket:/var/run/postgresql?db=app', '/var/run/postgresql'],
    ['/var/run/postgresql app', '/var/run/postgresql'],
  ])('%s is local (%s)', (url, host) => {
    expect(databaseHost(url, {})).toEqual({ host, isLocal: true });
  });

  it.each([
    ['postgresql://u:p@db.example.com:5432/app', 'db.example.com'],
    ['postgresql://u:p@10.0.0.5/app', '10.0.0.5'],
    ['postgresql://u:p@localhost/app?host=db.example.com', 'db.example.com'],
    ['postgresql://u:p@localhost.example.com/app', 'localhost.example.com'],
    ['not a url', 'an unparsable DATABASE_URL'],
  ])('%s is not local (%s)', (url, host) => {
    expect(databaseHost(url, {})).toEqual({ host, isLocal: false });
  });

  it('takes a missing host from PGHOST, as pg does', () => {
    expect(databaseHost('postgresql:///app', { PGHOST: 'db.example.com' })).toEqual({
      host: 'db.example.com',
      isLocal: false,
    });
  });
});
