import cliProgress from 'cli-progress';
import type { EpochRecord, Progress, ProgressTask } from '../progress.js';

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

/** One log line for an epoch: "bpr epoch 3/60: loss 0.1234, valid 0.2345, 1.20 s". */
export function epochLine(label: string, total: number, r: EpochRecord): string {
  const valid = r.valid === undefined ? '' : `, valid ${r.valid.toFixed(4)}`;
  const annealed = r.annealed ? ' (back to the best epoch, learning rate lowered)' : '';
  return `${label} epoch ${r.epoch + 1}/${total}: loss ${r.loss.toFixed(4)}${valid}, ${r.seconds.toFixed(2)} s${annealed}\n`;
}

/**
 * Progress as text lines through `write`: one every `intervalMs` while a task runs, its end if it printed
 * any, and one line per epoch of an epoch-based fit.
 */
export function progressLines(write: (line: string) => void, intervalMs = 30_000, now: () => number = Date.now): Progress {
  return {
    epoch: (label, total, r) => write(epochLine(label, total, r)),
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
