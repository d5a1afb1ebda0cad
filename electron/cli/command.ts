/**
 * One CLI command: parses its own arguments (node:util parseArgs) and returns the process exit code.
 * Bad input throws `UsageError`, which the CLI prints as one sentence and turns into exit code 2.
 */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `studio --help`. */
  readonly summary: string;
  /** The full usage text for `studio <name> --help`. */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Input the user can fix: printed as one sentence, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
