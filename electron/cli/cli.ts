/**
 * `studio <command>`: the same core as the app, for scripting and batch work. Runtime: Node (CLI).
 */
import { UsageError, type CliCommand, type CliIo } from './command';
import { generateCommand } from './commands/generate';
import { LIBRARY_COMMANDS } from './commands/library';
import { modelsCommand } from './commands/models';
import { loginCommand, logoutCommand, publishCommand } from './commands/platform';
import { serveCommand } from './commands/serve';
import { startCommand } from './commands/start';
import { tokenizeCommand } from './commands/tokenize';

export const COMMANDS: readonly CliCommand[] = [generateCommand, tokenizeCommand, modelsCommand, ...LIBRARY_COMMANDS, serveCommand, startCommand, loginCommand(), logoutCommand, publishCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return ['Usage: studio <command> [options]', '', 'Commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'Run `studio <command> --help` for its options.'].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`studio: unknown command "${name}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      // node:util's parse errors span several lines; a usage error is one sentence.
      io.stderr.write(`studio ${name}: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    io.stderr.write(`studio ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
