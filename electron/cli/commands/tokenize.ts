/** `studio tokenize [--model <folder>] "text"`. Runtime: Node (CLI). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { EMBEDDED_MODEL } from '../../core/models';
import { withEngine } from '../engine-session';
import { EngineCallError } from '../../core/engine/host';

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: "Print a prompt's token ids and its count against the model's limit",
  usage: 'Usage: studio tokenize [--model <folder>] "text"\n\nPrints JSON: {"ids": [...], "tokenCount": n, "maxTokens": n, "truncated": n}.',
  async run(args, io) {
    const { values, positionals } = parse(args);
    if (positionals.length !== 1) throw new UsageError('give exactly one text to tokenize, in quotes');
    const model = values.model ? resolve(io.cwd, values.model) : EMBEDDED_MODEL;
    try {
      const result = await withEngine(io, (engine) => engine.call({ type: 'tokenize', model, text: positionals[0] ?? '' }));
      io.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof EngineCallError) {
        io.stderr.write(`studio tokenize: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};

function parse(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: { model: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
