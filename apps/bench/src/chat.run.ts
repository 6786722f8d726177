import '@stepwise/db/env-file';
import { benchChatStream, printChatStream } from './chat-stream.bench.js';

// The chat token latency benchmark alone (`pnpm bench` runs it second):
//   pnpm --filter @stepwise/bench exec tsx --conditions=stepwise-source src/chat.run.ts
console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
printChatStream(await benchChatStream());
