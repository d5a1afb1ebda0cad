/** Where the window reopens (electron/main/window-state.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOUNDS, restoreWindow } from '../../../../electron/main/window-state';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const monitor = { x: 1440, y: 0, width: 2560, height: 1400 };

describe('restoreWindow', () => {
  it('reopens where it was when that is on a screen', () => {
    expect(restoreWindow({ x: 1600, y: 100, width: 1200, height: 800, maximized: false }, [laptop, monitor])).toEqual({
      bounds: { x: 1600, y: 100, width: 1200, height: 800 },
      maximized: false,
    });
    expect(restoreWindow({ x: 10, y: 10, width: 1000, height: 700, maximized: true }, [laptop]).maximized).toBe(true);
  });

  it('centres a window whose screen is gone, keeping its size when it fits', () => {
    expect(restoreWindow({ x: 1600, y: 100, width: 1200, height: 800, maximized: true }, [laptop])).toEqual({ bounds: { width: 1200, height: 800 }, maximized: true });
    expect(restoreWindow({ x: 1600, y: 100, width: 2400, height: 1300, maximized: false }, [laptop]).bounds).toEqual({ width: 1440, height: 875 });
  });

  it('needs the title bar on a screen, not only a corner', () => {
    // Only 50 px of the window's width on the laptop: not enough to grab it.
    expect(restoreWindow({ x: 1390, y: 100, width: 800, height: 600, maximized: false }, [laptop]).bounds.x).toBeUndefined();
    // Title bar above the top of every screen.
    expect(restoreWindow({ x: 100, y: -500, width: 800, height: 600, maximized: false }, [laptop]).bounds.x).toBeUndefined();
    expect(restoreWindow({ x: 100, y: 0, width: 800, height: 600, maximized: false }, [laptop]).bounds).toEqual({ x: 100, y: 0, width: 800, height: 600 });
  });

  it('uses the defaults for nothing saved or anything malformed', () => {
    for (const saved of [undefined, null, 'big', { width: 800 }, { x: 0, y: 0, width: 50, height: 50, maximized: false }, { x: 0.5, y: 0, width: 800, height: 600, maximized: false }]) {
      expect(restoreWindow(saved, [monitor])).toEqual({ bounds: DEFAULT_BOUNDS, maximized: false });
    }
    expect(restoreWindow(undefined, [laptop]).bounds).toEqual({ width: 1280, height: 840 });
    expect(restoreWindow(undefined, [{ x: 0, y: 0, width: 1024, height: 600 }]).bounds).toEqual({ width: 1024, height: 600 });
  });
});
