/**
 * A clean quit: the first `before-quit` is held back while the Studio finishes its writes, re-queues a running
 * job and stops the engines; then the app quits for real. Quitting again meanwhile (a second Cmd-Q, the last
 * window closing) waits for the same close rather than starting another or cutting it short.
 *
 * Runtime: Electron main (no Electron import).
 */

export interface QuitGuardOptions {
  /** Finishes writes and stops engines (Studio.close, idempotent). */
  readonly close: () => Promise<void>;
  /** Quits for real (app.quit): `before-quit` fires again and is let through. */
  readonly quit: () => void;
  readonly log: (level: 'error', message: string) => void;
}

/** The `before-quit` listener. */
export function createQuitGuard(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  return (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    options
      .close()
      .catch((error: unknown) => options.log('error', `the studio did not close cleanly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(() => {
        state = 'closed';
        options.quit();
      });
  };
}
