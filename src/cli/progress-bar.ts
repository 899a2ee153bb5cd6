import cliProgress from 'cli-progress';
import type { Progress, ProgressTask } from '../progress.js';

/** Progress bars on stderr (drawn only when stderr is a terminal; results stay clean on stdout). */
export function stderrProgress(): Progress {
  if (!process.stderr.isTTY) return { start: () => ({ tick() {}, done() {} }) };
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
