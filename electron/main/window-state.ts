/**
 * The window's position and size across runs (kept with electron-store by index.ts): what was saved is
 * checked, and a window that would open off every screen (a monitor unplugged since) opens centred instead.
 *
 * Runtime: Electron main (plain logic, no Electron import).
 */
import { z } from 'zod';

export interface WindowBounds {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
}

/** A display's work area (Electron's `Display.workArea`). */
export interface ScreenArea {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const coordinate = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(200).max(100_000);

export const SavedWindowState = z.object({ x: coordinate, y: coordinate, width: size, height: size, maximized: z.boolean() }).readonly();
export type SavedWindowState = z.infer<typeof SavedWindowState>;

export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 840 };

/** How much of the window's top edge must be on a screen for the user to grab it. */
const GRAB = { width: 120, height: 40 };

function grabbable(bounds: Required<WindowBounds>, area: ScreenArea): boolean {
  const left = Math.max(bounds.x, area.x);
  const right = Math.min(bounds.x + bounds.width, area.x + area.width);
  const top = Math.max(bounds.y, area.y);
  const bottom = Math.min(bounds.y + GRAB.height, area.y + area.height);
  return right - left >= GRAB.width && bottom - top >= GRAB.height;
}

/** Where the window opens: as saved if it can be grabbed on some screen, else centred at a size that fits. */
export function restoreWindow(saved: unknown, screens: readonly ScreenArea[]): { readonly bounds: WindowBounds; readonly maximized: boolean } {
  const parsed = SavedWindowState.safeParse(saved);
  if (!parsed.success) return { bounds: fit(DEFAULT_BOUNDS, screens), maximized: false };
  const { maximized, ...bounds } = parsed.data;
  if (screens.some((area) => grabbable(bounds, area))) return { bounds, maximized };
  return { bounds: fit({ width: bounds.width, height: bounds.height }, screens), maximized };
}

/** No position (the system centres it), and no larger than the largest screen. */
function fit(bounds: WindowBounds, screens: readonly ScreenArea[]): WindowBounds {
  if (screens.length === 0) return { width: bounds.width, height: bounds.height };
  const width = Math.max(...screens.map((s) => s.width));
  const height = Math.max(...screens.map((s) => s.height));
  return { width: Math.min(bounds.width, width), height: Math.min(bounds.height, height) };
}
