/**
 * The engine in an Electron utilityProcess: the core's `EngineFactory` seam over `utilityProcess.fork`. The
 * engine entry (inference/engine-process.ts, bundled to out/engine) sees `process.parentPort` there and speaks
 * the same protocol as under Node; messages are structured clones, so PNG bytes cross as Uint8Arrays.
 *
 * Runtime: Electron main (imports only Electron's types).
 */
import type { ForkOptions } from 'electron';
import type { EngineFactory } from '../core/engine/pool';
import type { HostMessage } from '../../inference/protocol';

/** The part of Electron's UtilityProcess the engine host needs. */
export interface UtilityProcessLike {
  postMessage(message: HostMessage): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
  readonly pid: number | undefined;
}

export type UtilityFork = (modulePath: string, args: string[], options: ForkOptions) => UtilityProcessLike;

/** One utilityProcess per device, with the device's environment (e.g. CUDA_VISIBLE_DEVICES) over `env`. */
export function utilityEngineFactory(fork: UtilityFork, entry: string, env: NodeJS.ProcessEnv): EngineFactory {
  return (device) => {
    const child = fork(entry, [], { serviceName: `Studio engine (${device.name})`, env: { ...env, ...device.env }, stdio: 'inherit' });
    return {
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      // A utilityProcess reports an exit code only; a crash is a non-zero code.
      onExit: (listener) => void child.on('exit', (code) => listener(code, null)),
      kill: () => void child.kill(),
      get pid() {
        return child.pid;
      },
    };
  };
}
