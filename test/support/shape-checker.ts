/**
 * The judge of the embedded model's images: is this a [colour] [shape] on a [colour] background?
 *
 * A plain colour and geometry analysis, no learning:
 * 1. Background: the per-channel median of a 2-pixel border ring, named by the nearest palette colour;
 *    at least 90% of the ring must lie within 80 (RGB distance) of it, or there is no clear background.
 * 2. Foreground: pixels farther than 80 from the measured background; the largest 4-connected region is
 *    the shape: it must cover at least 1% of the image and stay clear of the image's edge.
 * 3. Shape colour: the per-channel median of the region's interior (pixels whose 4 neighbours are also in
 *    the region, away from anti-aliased edges), named by the nearest palette colour.
 * 4. Shape: from the corners of the region's bounding box, which tell the three apart even when edges are
 *    soft (corner rounding makes a square's fill ratio drift towards a circle's, but its corners stay
 *    covered). In each corner, a patch a fifth of the box's side: the share of it the region covers.
 *    A square covers all four (each > 0.4); a circle none (each < 0.3); an upright triangle its two bottom
 *    corners (mean > 0.4) and not its two top ones (mean < 0.2). Anything else, or a bounding box whose
 *    sides differ by more than a third, is no shape of the three.
 */
export type Rgb = readonly [number, number, number];
export type Palette = Readonly<Record<string, Rgb>>;

export interface Verdict {
  readonly background: string | null;
  readonly colour: string | null;
  readonly shape: 'circle' | 'square' | 'triangle' | null;
  readonly fill: number | null;
}

const FOREGROUND_DISTANCE = 80;

function nearest(palette: Palette, c: Rgb): string {
  let best = '';
  let bestD = Infinity;
  for (const [name, p] of Object.entries(palette)) {
    const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
}

function medianColour(rgb: Uint8Array, pixels: readonly number[]): Rgb {
  return [0, 1, 2].map((c) => median(pixels.map((p) => rgb[p * 3 + c] ?? 0))) as unknown as Rgb;
}

/** Judges an RGB image (3 bytes per pixel, row-major). */
export function judge(rgb: Uint8Array, width: number, height: number, palette: Palette): Verdict {
  const border: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x < 2 || y < 2 || x >= width - 2 || y >= height - 2) border.push(y * width + x);
    }
  }
  const bg = medianColour(rgb, border);
  const distance = (p: number) => Math.hypot((rgb[p * 3] ?? 0) - bg[0], (rgb[p * 3 + 1] ?? 0) - bg[1], (rgb[p * 3 + 2] ?? 0) - bg[2]);
  const uniform = border.filter((p) => distance(p) <= FOREGROUND_DISTANCE).length >= border.length * 0.9;
  if (!uniform) return { background: null, colour: null, shape: null, fill: null };
  const background = nearest(palette, bg);

  const mask = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p++) mask[p] = distance(p) > FOREGROUND_DISTANCE ? 1 : 0;
  const region = largestRegion(mask, width, height);
  if (region.length < width * height * 0.01) return { background, colour: null, shape: null, fill: null };

  const inRegion = new Uint8Array(width * height);
  for (const p of region) inRegion[p] = 1;
  const interior = region.filter((p) => {
    const x = p % width;
    return x > 0 && x < width - 1 && inRegion[p - 1] && inRegion[p + 1] && inRegion[p - width] && inRegion[p + width];
  });
  const colour = nearest(palette, medianColour(rgb, interior.length > 0 ? interior : region));

  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (const p of region) {
    const x = p % width;
    const y = (p - x) / width;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  if (minX === 0 || minY === 0 || maxX === width - 1 || maxY === height - 1) return { background, colour, shape: null, fill: null };
  const w = maxX - minX + 1;
  const h = maxY - minY + 1;
  const fill = region.length / (w * h);
  const aspect = w / h;
  if (aspect < 0.75 || aspect > 1 / 0.75) return { background, colour, shape: null, fill };
  const k = Math.max(2, Math.round(Math.min(w, h) / 5));
  const cover = (x0: number, y0: number) => {
    let n = 0;
    for (let y = y0; y < y0 + k; y++) for (let x = x0; x < x0 + k; x++) n += inRegion[y * width + x] ?? 0;
    return n / (k * k);
  };
  const corners = [cover(minX, minY), cover(maxX - k + 1, minY), cover(minX, maxY - k + 1), cover(maxX - k + 1, maxY - k + 1)];
  const [topLeft = 0, topRight = 0, bottomLeft = 0, bottomRight = 0] = corners;
  let shape: Verdict['shape'] = null;
  if (corners.every((c) => c > 0.4)) shape = 'square';
  else if (corners.every((c) => c < 0.3)) shape = 'circle';
  else if ((topLeft + topRight) / 2 < 0.2 && (bottomLeft + bottomRight) / 2 > 0.4) shape = 'triangle';
  return { background, colour, shape, fill };
}

function largestRegion(mask: Uint8Array, width: number, height: number): number[] {
  const seen = new Uint8Array(mask.length);
  let best: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const region: number[] = [];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop() ?? 0;
      region.push(p);
      const x = p % width;
      const y = (p - x) / width;
      const neighbours = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1];
      for (const n of neighbours) {
        if (n >= 0 && mask[n] && !seen[n]) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    if (region.length > best.length) best = region;
  }
  return best;
}

/**
 * Ground truth for the checker's own tests: an anti-aliased shape drawn with the training renderer's
 * geometry (training/shapes.py): square half-side 0.9 h, upright equilateral triangle, circle radius h.
 */
export function renderShape(shape: 'circle' | 'square' | 'triangle', fg: Rgb, bg: Rgb, size: number, half: number, cx: number, cy: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const r = half * 1.15;
  const s3 = Math.sqrt(3) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      let sd: number;
      if (shape === 'circle') sd = Math.hypot(dx, dy) - half;
      else if (shape === 'square') sd = Math.max(Math.abs(dx), Math.abs(dy)) - half * 0.9;
      else sd = Math.max(dy - r * 0.5, -s3 * dx - 0.5 * dy - r * 0.5, s3 * dx - 0.5 * dy - r * 0.5) + r * 0.25;
      const cover = Math.min(1, Math.max(0, 0.5 - sd));
      for (let c = 0; c < 3; c++) out[(y * size + x) * 3 + c] = Math.round(bg[c] + ((fg[c] ?? 0) - (bg[c] ?? 0)) * cover);
    }
  }
  return out;
}
