export type InterruptSource = 'Ctrl-C' | 'SIGINT' | 'SIGTERM';

/**
 * Calls `onInterrupt` on Ctrl-C, SIGINT or SIGTERM; returns a function that stops listening
 * and gives the terminal back.
 *
 * On a terminal, Ctrl-C is read as a key (raw mode) instead of being left to the terminal:
 * the terminal would send SIGINT to the whole foreground process group, embedded Postgres
 * included, which would then shut down under the in-process server before it closes.
 */
export function listenForInterrupt(onInterrupt: (source: InterruptSource) => void): () => void {
  const { stdin } = process;
  const raw = stdin.isTTY === true;
  const onKey = (data: Buffer) => {
    if (data.includes(0x03)) onInterrupt('Ctrl-C');
  };
  const onSigint = () => onInterrupt('SIGINT');
  const onSigterm = () => onInterrupt('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  if (raw) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }

  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (raw) {
      stdin.off('data', onKey);
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
}
