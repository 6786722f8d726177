import { parseArgs } from 'node:util';
import { ZPlanRequest } from '@stepwise/client/schema';
import type { DemoLevel } from './run-demo.js';

export const DEMO_USAGE = `Usage: pnpm demo "<goal>" [--weeks N] [--hours H] [--level beginner|intermediate|advanced]

Generates a plan through the typed client against STEPWISE_URL (default http://127.0.0.1:3000),
or against a server started in-process when none answers there.`;

export interface DemoArgs {
  goal: string;
  weeks?: number;
  hours?: number;
  level?: DemoLevel;
  help: boolean;
}

/** A command line the demo cannot run; the message says why. */
export class DemoUsageError extends Error {
  override name = 'DemoUsageError';
}

const FLAG_OF: Record<string, string> = {
  goal: '"<goal>"',
  durationWeeks: '--weeks',
  dailyHours: '--hours',
  level: '--level',
};

/**
 * Reads `"<goal>" [--weeks N] [--hours H] [--level L]`; words after the flags join the goal.
 * Values are checked with the server's own request schema, so limits never drift.
 *
 * @example
 * parseDemoArgs(['Learn chess', '--weeks', '2']); // { goal: 'Learn chess', weeks: 2, help: false }
 */
export function parseDemoArgs(argv: string[]): DemoArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new DemoUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { goal: '', help: true };

  const goal = positionals.join(' ').trim();
  if (!goal) throw new DemoUsageError('Say what the plan is for, e.g. pnpm demo "Learn chess".');
  const weeks = values.weeks === undefined ? undefined : Number(values.weeks);
  const hours = values.hours === undefined ? undefined : Number(values.hours);
  const checked = ZPlanRequest.safeParse({
    goal,
    durationWeeks: weeks,
    dailyHours: hours,
    level: values.level,
  });
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      return `${FLAG_OF[field] ?? field}: ${issue.message}`;
    });
    throw new DemoUsageError(problems.join('\n'));
  }
  return {
    goal,
    ...(weeks !== undefined ? { weeks } : {}),
    ...(hours !== undefined ? { hours } : {}),
    ...(values.level !== undefined ? { level: checked.data.level } : {}),
    help: false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      weeks: { type: 'string', short: 'w' },
      hours: { type: 'string' },
      level: { type: 'string', short: 'l' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
