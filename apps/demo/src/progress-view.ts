import { type DemoPhase, type RenderOptions, renderProgress } from './render-plan.js';

export interface DemoOutput {
  write(text: string): void;
}

export interface ProgressView {
  /** Enters a phase: redraws the bar, or prints one plain line. */
  phase(phase: DemoPhase, attempt?: number): void;
  /** Prints a streamed task's line above the bar and counts it. */
  task(line: string): void;
  /** Prints any other line above the bar. */
  line(text: string): void;
  /** Leaves the bar in its last state and moves below it; later calls do nothing. */
  end(): void;
}

const CLEAR_LINE = '\r\x1b[2K';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * The live part of the demo. With `live` (a terminal) the last line is a progress bar redrawn
 * in place, with task lines scrolling above it; otherwise each phase is one plain line, so
 * logs and pipes stay readable.
 */
export function createProgressView(
  out: DemoOutput,
  options: RenderOptions & { live: boolean },
): ProgressView {
  let current: { phase: DemoPhase; attempt: number } | undefined;
  let tasks = 0;
  let ended = false;
  const bar = () =>
    renderProgress(current?.phase ?? 'queued', { ...options, attempt: current?.attempt, tasks });
  const print = (text: string) => {
    if (options.live && current) out.write(`${CLEAR_LINE}${text}\n${bar()}`);
    else out.write(`${text}\n`);
  };

  return {
    phase(phase, attempt = current?.attempt ?? 1) {
      if (ended || (current?.phase === phase && current.attempt === attempt)) return;
      const first = !current;
      current = { phase, attempt };
      if (!options.live) out.write(`${bar()}\n`);
      else out.write(`${first ? HIDE_CURSOR : ''}${CLEAR_LINE}${bar()}`);
    },
    task(line) {
      if (ended) return;
      tasks += 1;
      print(line);
    },
    line(text) {
      if (!ended) print(text);
    },
    end() {
      if (ended) return;
      ended = true;
      if (options.live && current) out.write(`${CLEAR_LINE}${bar()}\n${SHOW_CURSOR}`);
    },
  };
}
