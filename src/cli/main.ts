import { Command, CommanderError } from 'commander';
import { UnirecError } from '../errors.js';
import { backupCommand } from './backup.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { modelsCommand } from './models.js';
import { explainCommand, recommendCommand, similarCommand } from './recommend.js';
import { importCommand } from './import.js';
import { trainCommand } from './train.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';
import { tuneCommand } from './tune.js';
import { reportCommand } from './report.js';

export function buildProgram(): Command {
  const program = new Command('unirec')
    .description('unirec: recommendations for TypeScript. Train, evaluate and query recommenders from the command line.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  evaluateCommand(program);
  recommendCommand(program);
  similarCommand(program);
  explainCommand(program);
  demoCommand(program);
  modelsCommand(program);
  importCommand(program);
  trainCommand(program);
  serveCommand(program);
  workerCommand(program);
  tuneCommand(program);
  reportCommand(program);
  backupCommand(program);
  return program;
}

/** Runs the CLI and returns the exit code. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version, or a usage error)
      return err.exitCode;
    }
    const message = err instanceof UnirecError ? err.message : describe(err);
    process.stderr.write(`unirec: error: ${message}\n`);
    if (process.env.UNIREC_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

