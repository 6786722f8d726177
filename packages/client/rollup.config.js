// @ts-check
// Bundles the published declarations: dist/index.d.ts and dist/schema.d.ts carry every type a
// consumer needs (AppRouter, RouterInputs/Outputs, the plan schema) with the workspace-only
// packages (@stepwise/server, db, ai, core) inlined. They read those packages' built
// declarations, so the workspace's `build` runs first (turbo's `^build`).
import { isAbsolute } from 'node:path';
import { dts } from 'rollup-plugin-dts';

/** What the published declarations may import: this package's own dependencies. */
const PUBLISHED_DEPENDENCIES = ['@trpc/client', '@trpc/server', 'superjson', 'zod'];

const isPublished = (/** @type {string} */ id) =>
  PUBLISHED_DEPENDENCIES.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * The server's router type names its request context (database, auth, logger, job queue),
 * whose types come from kysely, pg, pino and better-auth: packages a client does not install.
 * A client never reads it (the client and `inferRouterInputs/Outputs` use the procedures and
 * the error shape only), so the published `AppRouter` types the context as `object`.
 *
 * @returns {import('rollup').Plugin}
 */
function withoutServerContext() {
  const ctx = /\bctx: import\("[^"]+\/context\.js"\)\.Context;/g;
  return {
    name: 'without-server-context',
    transform(code, id) {
      if (!/[/\\]server[/\\]dist[/\\]/.test(id)) return null;
      const next = code.replace(ctx, 'ctx: object;');
      return next === code ? null : { code: next, map: null };
    },
  };
}

/**
 * Fails the build when a declaration file would import a package the consumer does not get
 * (e.g. kysely, once the server's context is no longer named as `withoutServerContext`
 * expects).
 *
 * @returns {import('rollup').Plugin}
 */
function onlyPublishedImports() {
  return {
    name: 'only-published-imports',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        const foreign =
          chunk.type === 'chunk' ? chunk.imports.filter((id) => !isPublished(id)) : [];
        if (foreign.length > 0) {
          this.error(`${chunk.fileName} imports ${foreign.join(', ')}: not a dependency of ours`);
        }
      }
    },
  };
}

/**
 * @param {'index' | 'schema'} entry
 * @returns {import('rollup').RollupOptions}
 */
const declarations = (entry) => ({
  input: `src/${entry}.ts`,
  output: { file: `dist/${entry}.d.ts`, format: 'es' },
  // Bare imports stay imports (most are tree-shaken away); onlyPublishedImports keeps the rest
  // to our dependencies. The workspace's own packages are inlined.
  external: (/** @type {string} */ id) => /^(?!@stepwise\/)[^./\\]/.test(id) && !isAbsolute(id),
  /** @type {import('rollup').WarningHandlerWithDefault} */
  onwarn(warning, warn) {
    // The server's index re-exports AppRouter from a module that imports the index back (for
    // types only); in a single declaration file that cycle is harmless.
    if (warning.code !== 'CYCLIC_CROSS_CHUNK_REEXPORT') warn(warning);
  },
  plugins: [
    withoutServerContext(),
    dts({ tsconfig: 'tsconfig.build.json', respectExternal: true }),
    onlyPublishedImports(),
  ],
});

// One self-contained file per entry point (no shared declaration chunks).
export default [declarations('index'), declarations('schema')];
