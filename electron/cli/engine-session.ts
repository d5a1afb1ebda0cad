/**
 * Shared by the CLI's commands: an engine process for the length of one command (where models are: core/models).
 * Runtime: Node (CLI).
 */
import { EngineHost, forkEngine } from '../core/engine/host';
import type { CliIo } from './command';

/** Runs `work` with a started engine, and always stops it. Engine warnings go to stderr. */
export async function withEngine<T>(io: CliIo, work: (engine: EngineHost) => Promise<T>): Promise<T> {
  const engine = new EngineHost(forkEngine(io.env), (level, message) => {
    if (level !== 'info') io.stderr.write(`engine: ${message}\n`);
  });
  try {
    await engine.ready;
    return await work(engine);
  } finally {
    await engine.stop().catch(() => undefined);
  }
}
