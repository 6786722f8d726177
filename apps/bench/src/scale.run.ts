import '@stepwise/db/env-file';
import { benchRelay, printRelay } from './relay.bench.js';
import { benchSubscriptions, printSubscriptions } from './subscriptions.bench.js';

// Runs the subscription and relay benchmarks alone (`pnpm bench` runs them with the rest):
// `pnpm exec tsx --conditions=stepwise-source src/scale.run.ts [subscriptions] [relay]`.
const which = process.argv.slice(2);
const wants = (name: string) => which.length === 0 || which.includes(name);
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
if (wants('subscriptions')) printSubscriptions(await benchSubscriptions());
if (wants('relay')) printRelay(await benchRelay());
