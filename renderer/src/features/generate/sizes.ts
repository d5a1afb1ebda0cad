/** Size presets: the model's native size and its portrait/landscape variants, then the usual Stable Diffusion sizes. */
export interface SizePreset {
  readonly width: number;
  readonly height: number;
}

const round8 = (n: number) => Math.max(64, Math.round(n / 8) * 8);

export function sizePresets(nativeWidth: number, nativeHeight: number): SizePreset[] {
  const native = [
    { width: nativeWidth, height: nativeHeight },
    { width: round8(nativeWidth * 0.75), height: round8(nativeHeight * 1.25) },
    { width: round8(nativeWidth * 1.25), height: round8(nativeHeight * 0.75) },
  ];
  const common = [
    { width: 512, height: 512 },
    { width: 512, height: 768 },
    { width: 768, height: 512 },
    { width: 768, height: 768 },
    { width: 1024, height: 1024 },
    { width: 832, height: 1216 },
    { width: 1216, height: 832 },
  ];
  const seen = new Set<string>();
  return [...native, ...common].filter((p) => {
    const key = `${p.width}x${p.height}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
