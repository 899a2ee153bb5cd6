import type { Command } from 'commander';
import { modelNames, modelSpec, parseParams } from '../pipeline/index.js';

/** `unirec models`: every registered model with its default params. */
export function modelsCommand(program: Command): void {
  program
    .command('models')
    .description('list the models and their default parameters')
    .action(() => {
      for (const name of modelNames()) {
        const spec = modelSpec(name);
        process.stdout.write(`${name.padEnd(12)} ${spec.description}\n${' '.repeat(13)}${JSON.stringify(parseParams(name, {}))}\n`);
      }
    });
}
