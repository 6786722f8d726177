import '@stepwise/db/env-file';
import { benchCrud, printCrud } from './crud.bench.js';

// The CRUD benchmark alone (`pnpm bench` runs it after the others):
//   pnpm --filter @stepwise/bench exec tsx --conditions=stepwise-source src/crud.run.ts
// CRUD_BENCH_SCENARIOS / CRUD_BENCH_TARGETS / CRUD_BENCH_DURATION narrow it (see crud.bench.ts).
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
printCrud(await benchCrud());
