import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from './parse-demo-args.js';

describe('parseDemoArgs', () => {
  it('reads the goal and the optional flags', () => {
    expect(
      parseDemoArgs([
        'Learn to play chess',
        '--weeks',
        '2',
        '--hours',
        '1.5',
        '--level',
        'advanced',
      ]),
    ).toEqual({
      goal: 'Learn to play chess',
      weeks: 2,
      hours: 1.5,
      level: 'advanced',
      help: false,
    });
    expect(parseDemoArgs(['Learn', 'chess'])).toEqual({ goal: 'Learn chess', help: false });
  });

  it('rejects values the server would refuse, naming the flag', () => {
    expect(() => parseDemoArgs(['Learn chess', '--weeks', '99'])).toThrow(/--weeks: .*52/);
    expect(() => parseDemoArgs(['Learn chess', '--hours', 'lots'])).toThrow(/--hours/);
    expect(() => parseDemoArgs(['Learn chess', '--level', 'expert'])).toThrow(/--level/);
    expect(() => parseDemoArgs(['ab'])).toThrow(/"<goal>"/);
    expect(() => parseDemoArgs([])).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(['Learn chess', '--colour'])).toThrow(DemoUsageError);
  });

  it('asks for help', () => {
    expect(parseDemoArgs(['--help']).help).toBe(true);
  });
});
