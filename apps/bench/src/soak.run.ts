import '@stepwise/db/env-file';
import { benchSoak, printSoak } from './soak.bench.js';

// The sustained-load benchmark alone (`pnpm bench` runs it last):
//   pnpm --filter @stepwise/bench exec tsx --conditions=stepwise-source src/soak.run.ts
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
printSoak(await benchSoak());
