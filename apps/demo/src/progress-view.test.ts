import { describe, expect, it } from 'vitest';
import { createProgressView } from './progress-view.js';
import { stripAnsi } from './render-plan.js';

function record() {
  const writes: string[] = [];
  return { out: { write: (text: string) => void writes.push(text) }, writes };
}

describe('createProgressView', () => {
  it('prints one line per phase and task when not live', () => {
    const { out, writes } = record();
    const view = createProgressView(out, { color: false, live: false });
    view.phase('queued');
    view.phase('queued');
    view.task('  #1  first');
    view.phase('completed');
    view.end();
    expect(writes.join('')).toBe('phase 1/7: queued\n  #1  first\nphase 7/7: completed (1 task)\n');
  });

  it('on a terminal, redraws the bar in place with task lines scrolling above it', () => {
    const { out, writes } = record();
    const view = createProgressView(out, { color: true, live: true });
    view.phase('generating');
    view.task('  #1  first');
    view.end();
    const all = writes.join('');
    expect(all.startsWith('\x1b[?25l')).toBe(true);
    expect(all.endsWith('\x1b[?25h')).toBe(true);
    // What stays on screen: the task, then the last bar; each redraw starts by clearing the line.
    const screen = all.split('\n').map((line) => stripAnsi(line.split('\r\x1b[2K').at(-1) ?? ''));
    expect(screen).toEqual([
      '  #1  first',
      expect.stringMatching(/ 3\/7 generating \(1 task\)$/),
      '',
    ]);
  });
});
