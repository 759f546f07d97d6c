/**
 * Ctrl+C (SIGINT), SIGTERM and SIGHUP (the terminal closed) during a long run. The first asks the run to stop
 * where what it did is kept (its signal aborts, the run checks it); a second one, from a user who will not wait,
 * stops the process at once by that signal, after `beforeExit` removed what the run must not leave behind (an
 * output's aside file). Without the handlers, any of these signals kills the process wherever it is.
 */
import type { CliIO } from './command.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignals {
  signal: AbortSignal;
  /** The handlers removed: a signal after this kills the process as it would have before. */
  dispose(): void;
}

export function stopOnSignals(io: CliIO, message: string, beforeExit: () => void): StopSignals {
  const stop = new AbortController();
  const dispose = () => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    if (!stop.signal.aborted) {
      io.stderr(`\n${message}\n`);
      stop.abort();
      return;
    }
    io.stderr('\nstopped at once\n');
    try {
      beforeExit();
    } finally {
      dispose();
      process.kill(process.pid, signal); // the default action now: the process ends by this signal
    }
  }
  for (const s of SIGNALS) process.on(s, onSignal);
  return { signal: stop.signal, dispose };
}
