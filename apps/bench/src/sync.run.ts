import '@stepwise/db/env-file';
import { benchSync, printSync } from './sync.bench.js';

// The device-to-device sync latency benchmark alone (`pnpm bench` runs it after the relay):
//   pnpm --filter @stepwise/bench exec tsx --conditions=stepwise-source src/sync.run.ts
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
printSync(await benchSync());
