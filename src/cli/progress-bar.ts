import cliProgress from 'cli-progress';
import type { Progress, ProgressTask } from '../progress.js';

/**
 * Progress on stderr (results stay clean on stdout): bars on a terminal; otherwise (CI logs, `2> file`)
 * a plain line per task at most every 30 s, so a long fit shows it is alive without flooding the log.
 */
export function stderrProgress(): Progress {
  if (!process.stderr.isTTY) return progressLines((line) => process.stderr.write(line));
  return {
    start(label: string, total: number): ProgressTask {
      const bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        tick: (n = 1) => bar.increment(n),
        done: () => bar.stop(),
      };
    },
  };
}

/** Progress as text lines through `write`: one every `intervalMs` while a task runs, and its end if it printed any. */
export function progressLines(write: (line: string) => void, intervalMs = 30_000, now: () => number = Date.now): Progress {
  return {
    start(label: string, total: number): ProgressTask {
      const started = now();
      let last = started;
      let value = 0;
      let printed = false;
      const seconds = () => `${Math.round((now() - started) / 1000)} s`;
      return {
        tick(n = 1) {
          value += n;
          if (now() - last < intervalMs) return;
          last = now();
          printed = true;
          const share = total > 0 ? ` ${Math.floor((100 * value) / total)}%` : '';
          write(`${label}:${share} (${value}/${total}), ${seconds()}\n`);
        },
        done() {
          if (printed) write(`${label}: done in ${seconds()}\n`);
        },
      };
    },
  };
}
