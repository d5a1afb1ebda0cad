/**
 * The engine process's entry point. Under Electron it is a utilityProcess (messages on
 * `process.parentPort`); under Node (the CLI, the web host, tests) a child process forked with an IPC
 * channel using the 'advanced' serialization, so that PNG bytes cross as Uint8Arrays. Same engine either way.
 */
import { startEngine, type Transport } from './engine';
import type { EngineMessage } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function transport(): Transport {
  const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message: EngineMessage) => parentPort.postMessage(message),
      onMessage: (handler) => parentPort.on('message', (event) => handler(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('the engine must be started by a host: an Electron utilityProcess or a Node child process with IPC');
  // The host going away leaves nothing to serve.
  process.on('disconnect', () => process.exit(0));
  return {
    send: (message: EngineMessage) => send(message),
    onMessage: (handler) => process.on('message', handler),
  };
}

const threads = Number(process.env['STUDIO_THREADS'] ?? '');
startEngine(transport(), Number.isInteger(threads) && threads > 0 ? { threads } : {});
