import type { Command } from 'commander';
import { writeReport } from '../report/index.js';

interface ReportFlags {
  runs: string[];
  out: string;
  title?: string;
}

export function reportCommand(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML file (opens offline) with charts comparing `unirec evaluate --json` results')
    .requiredOption('--runs <files...>', 'evaluate results: .json files (an object or an array of them) or JSON lines files')
    .option('--out <file>', 'the HTML file to write', 'report.html')
    .option('--title <text>', 'title of the report')
    .action(async (flags: ReportFlags) => {
      const { runs, bytes } = await writeReport(flags.runs, flags.out, { title: flags.title });
      process.stdout.write(`wrote ${flags.out} (${runs} run${runs === 1 ? '' : 's'}, ${Math.round(bytes / 1024)} KB)\n`);
    });
}
