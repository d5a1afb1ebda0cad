/**
 * Loaded with --import into a Node child by utility-engine.test.ts: gives it the `process.parentPort` of an
 * Electron utilityProcess (messages arrive as `{ data }`, replies go with `postMessage`), carried over Node's
 * IPC channel, so that the engine entry takes its utilityProcess path (the only one left to it).
 */
const send = process.send?.bind(process);
if (send === undefined) throw new Error('parent-port.ts needs an IPC channel');
// As in a utilityProcess, there is no process.send: an engine that did not take the parentPort path would stop.
Reflect.deleteProperty(process, 'send');

Object.defineProperty(process, 'parentPort', {
  value: {
    on: (event: 'message', listener: (event: { data: unknown }) => void) => process.on(event, (data) => listener({ data })),
    postMessage: (message: unknown) => send(message),
  },
});
