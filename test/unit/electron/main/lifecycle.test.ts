/** The clean quit (electron/main/lifecycle.ts): before-quit waits for the Studio to close, once. */
import { describe, expect, it } from 'vitest';
import { createQuitGuard } from '../../../../electron/main/lifecycle';

function quitEvent() {
  const event = { prevented: false, preventDefault: () => void (event.prevented = true) };
  return event;
}

/** A close that finishes when the test says so. */
function pendingClose() {
  let finish: (error?: Error) => void = () => undefined;
  let calls = 0;
  const close = () => {
    calls++;
    return new Promise<void>((resolve, reject) => {
      finish = (error) => (error ? reject(error) : resolve());
    });
  };
  return { close, finish: (error?: Error) => finish(error), calls: () => calls };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createQuitGuard', () => {
  it('holds the quit until the studio is closed, then quits and lets the quit through', async () => {
    const closing = pendingClose();
    const quits: number[] = [];
    const guard = createQuitGuard({ close: closing.close, quit: () => quits.push(1), log: () => undefined });
    const first = quitEvent();
    guard(first);
    expect(first.prevented).toBe(true);
    expect(closing.calls()).toBe(1);
    await tick();
    expect(quits).toHaveLength(0);

    // Quitting again while closing waits for the same close.
    const again = quitEvent();
    guard(again);
    expect(again.prevented).toBe(true);
    expect(closing.calls()).toBe(1);

    closing.finish();
    await tick();
    expect(quits).toHaveLength(1);
    const final = quitEvent();
    guard(final);
    expect(final.prevented).toBe(false);
    expect(closing.calls()).toBe(1);
  });

  it('still quits when the close fails, and says why', async () => {
    const closing = pendingClose();
    const logged: string[] = [];
    let quit = false;
    const guard = createQuitGuard({ close: closing.close, quit: () => (quit = true), log: (_level, message) => logged.push(message) });
    guard(quitEvent());
    closing.finish(new Error('disk full'));
    await tick();
    expect(quit).toBe(true);
    expect(logged.join('\n')).toMatch(/did not close cleanly: Error: disk full/);
  });
});
