import '@stepwise/db/env-file';
import { benchChatStream, printChatStream } from './chat-stream.bench.js';
import { benchCrud, printCrud } from './crud.bench.js';
import { benchPlanGenerate, printPlanGenerate } from './plan-generate.bench.js';
import { benchRelay, printRelay } from './relay.bench.js';
import { benchSoak, printSoak } from './soak.bench.js';
import { benchSubscriptions, printSubscriptions } from './subscriptions.bench.js';
import { benchSync, printSync } from './sync.bench.js';

// `pnpm bench`: every benchmark, each next to its reference in the same run. Bounded in
// count and time; talks only to 127.0.0.1.
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
printPlanGenerate(await benchPlanGenerate());
printChatStream(await benchChatStream());
printCrud(await benchCrud());
printSubscriptions(await benchSubscriptions());
printRelay(await benchRelay());
printSync(await benchSync());
printSoak(await benchSoak());
