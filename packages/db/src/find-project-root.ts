import { existsSync } from 'node:fs';
import path from 'node:path';

/** The monorepo root (the folder with pnpm-workspace.yaml) above `from`, else `from`. */
export function findProjectRoot(from: string = process.cwd()): string {
  return findWorkspaceRoot(from) ?? path.resolve(from);
}

/** The folder with pnpm-workspace.yaml above `from`; undefined outside a checkout. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}
