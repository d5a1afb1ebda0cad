/**
 * Live previews: a linear map from the latent channels to RGB, at latent resolution. Cheap enough to run
 * every few steps (a few multiply-adds per latent cell) instead of a VAE decode.
 */
import type { VaeSettings } from '../models/folder';

type LatentRgb = NonNullable<VaeSettings['latentRgb']>;

/**
 * Stable Diffusion 1.x/2.x factors (the approximation popularised by ComfyUI's previewer), on scaled
 * latents, giving RGB in about [-1, 1]. Used for 4-channel models whose folder brings no factors of its own.
 */
export const SD_LATENT_RGB: LatentRgb = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  bias: [0, 0, 0],
};

/**
 * One image's preview from a batch of latents laid out [batch, channels, height, width].
 * Returns RGB bytes, 3 per latent cell.
 */
export function latentPreview(latents: Float32Array, batchIndex: number, channels: number, height: number, width: number, map: LatentRgb): Uint8Array {
  const plane = height * width;
  const base = batchIndex * channels * plane;
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      let v = map.bias[c] ?? 0;
      for (let k = 0; k < channels; k++) v += (latents[base + k * plane + p] ?? 0) * (map.factors[k]?.[c] ?? 0);
      out[p * 3 + c] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
    }
  }
  return out;
}
