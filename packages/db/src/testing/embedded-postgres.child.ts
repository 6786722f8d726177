import pg from 'pg';
import { startEmbeddedPostgres } from '../embedded.js';

// A process for embedded.test.ts: `node --import tsx embedded-postgres.child.ts <dataDir>
// <port> [exit]`. Opens the embedded Postgres, runs a query, prints one JSON line, then
// either stops and exits (`exit`) or stays until SIGTERM. Warnings go to stderr.
const [dataDir, port, mode] = process.argv.slice(2);
const embedded = await startEmbeddedPostgres({
  dataDir: dataDir!,
  port: Number(port),
  ephemeral: true,
  onWarning: (message) => process.stderr.write(`${message}\n`),
});
const client = new pg.Client({ connectionString: embedded.url });
await client.connect();
const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
await client.end();
process.stdout.write(
  `${JSON.stringify({
    pid: process.pid,
    role: embedded.role,
    ownerPid: embedded.ownerPid,
    port: embedded.port,
    url: embedded.url,
    one: rows[0]?.one,
  })}\n`,
);

if (mode === 'exit') {
  await embedded.stop();
} else {
  const keepAlive = setInterval(() => {}, 60_000);
  process.once('SIGTERM', () => {
    clearInterval(keepAlive);
    void embedded.stop();
  });
}
