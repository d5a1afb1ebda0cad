// Module hooks for main.test.ts's child process: `electron` (imported by the main bundle and by electron-store)
// resolves to the stand-in beside this file.
const STAND_IN = new URL('./electron.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STAND_IN, shortCircuit: true };
  return next(specifier, context);
}
