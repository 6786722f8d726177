import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { findWorkspaceRoot } from './find-project-root.js';

export interface LoadEnvFileOptions {
  /** Default: `envFilePath()`, the repository's `.env`. */
  path?: string;
  /** The environment to fill; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * Applies a `.env` file to the environment with Node's own parser (`util.parseEnv`, the one
 * behind `node --env-file`). A variable that is already set, even to '', wins over the file;
 * a missing file is skipped silently. Returns the names it set.
 *
 * Entry points do not call this: they import `@stepwise/db/env-file` first.
 *
 * @example
 * loadEnvFile({ path: '/tmp/test.env', env: {} });
 */
export function loadEnvFile(options: LoadEnvFileOptions = {}): string[] {
  const file = options.path ?? envFilePath();
  const env = options.env ?? process.env;
  if (!existsSync(file)) return [];
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (env[name] !== undefined || value === undefined) continue;
    env[name] = value;
    applied.push(name);
  }
  return applied;
}

/**
 * `.env` in the repository root (the folder with pnpm-workspace.yaml, next to .env.example),
 * found from this file's location, so the cwd pnpm gives a filtered script does not matter;
 * outside a checkout, `.env` in the cwd.
 */
export function envFilePath(): string {
  const root =
    findWorkspaceRoot(path.dirname(fileURLToPath(import.meta.url))) ??
    findWorkspaceRoot(process.cwd()) ??
    process.cwd();
  return path.join(root, '.env');
}
