import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchProcess, startBenchProcess } from './child-process.js';

const APP = fileURLToPath(new URL('../reference/fastapi_crud.py', import.meta.url));
const MODULES = ['fastapi', 'uvicorn', 'sqlalchemy', 'psycopg2'];
/** Debian's python3 first: a pyenv python on the PATH does not see Debian's packages. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

/**
 * The Python that can run the FastAPI reference, or why none can. It needs Debian's packages
 * `python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2` (PyPI is not
 * reachable here).
 */
export function findFastApiPython(): { python: string } | { missing: string } {
  for (const python of PYTHONS) {
    const check = spawnSync(python, ['-c', `import ${MODULES.join(', ')}`], { encoding: 'utf8' });
    if (check.status === 0) return { python };
  }
  return {
    missing: `no python3 with ${MODULES.join(', ')}: apt-get install python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2`,
  };
}

/** `reference/fastapi_crud.py` under uvicorn (one process), answering for one bench user. */
export function startFastApiReference(input: {
  python: string;
  databaseUrl: string;
  token: string;
  userId: string;
}): Promise<BenchProcess> {
  return startBenchProcess({
    name: 'FastAPI reference',
    command: input.python,
    args: [APP],
    cwd: path.dirname(APP),
    env: {
      DATABASE_URL: input.databaseUrl,
      BENCH_TOKEN: input.token,
      BENCH_USER_ID: input.userId,
    },
    readyPath: '/openapi.json',
  });
}
