import type { Command } from 'commander';
import { z } from 'zod';
import { modelNames, modelSpec, parseParams } from '../pipeline/index.js';

/** `unirec models`: every registered model with its default params (and those chosen from the data). */
export function modelsCommand(program: Command): void {
  program
    .command('models')
    .description('list the models and their default parameters')
    .action(() => {
      for (const name of modelNames()) {
        const spec = modelSpec(name);
        const defaults = parseParams(name, {});
        // a param without a fixed default says how it is chosen (e.g. ALS's regularization, from the data)
        const schema = z.toJSONSchema(spec.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }> };
        const chosen = Object.entries(schema.properties ?? {})
          .filter(([k, v]) => !(k in defaults) && v.description !== undefined)
          .map(([k, v]) => `\n${' '.repeat(13)}${k}: ${v.description}`);
        process.stdout.write(`${name.padEnd(12)} ${spec.description}\n${' '.repeat(13)}${JSON.stringify(defaults)}${chosen.join('')}\n`);
      }
    });
}
