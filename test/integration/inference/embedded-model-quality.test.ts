/**
 * The embedded model, run through the studio's own engine, on captions it never saw in training: 24
 * held-out colour/shape/background combinations × 4 seeds, judged by test/support/shape-checker.ts.
 * The accuracies are also written to test-results/embedded-model-quality.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost, forkEngine } from '../../../electron/core/engine/host';
import type { GenerateRequest } from '../../../inference/protocol';
import evaluation from '../../fixtures/embedded-model-eval.json' with { type: 'json' };
import { EMBEDDED_MODEL } from '../../support/paths';
import { judge, type Palette, type Verdict } from '../../support/shape-checker';

const palette = evaluation.palette as unknown as Palette;
const SEEDS = 4;

/** The settings a user gets by default: the model's own sampler, 20 steps, guidance 7. */
async function verdicts(engine: EngineHost, prompt: string, seed: number, batchSize: number): Promise<{ verdicts: Verdict[]; pixels: Buffer[] }> {
  const { defaultSampler } = await engine.call({ type: 'inspect', model: EMBEDDED_MODEL });
  const request: GenerateRequest = { prompt, negativePrompt: '', model: EMBEDDED_MODEL, sampler: defaultSampler, steps: 20, guidance: 7, seed, width: 64, height: 64, batchSize };
  const result = await engine.call({ type: 'generate', request });
  const pixels = await Promise.all(result.images.map((i) => sharp(i.png).raw().toBuffer()));
  return { verdicts: pixels.map((p) => judge(p, 64, 64, palette)), pixels };
}

describe('embedded model quality on held-out captions', () => {
  let engine: EngineHost;
  beforeAll(async () => {
    engine = new EngineHost(forkEngine());
    await engine.ready;
  });
  afterAll(() => engine.stop());

  /** Seed 1's image for each held-out caption: the same seed under 24 different captions. */
  const seedOne: { caption: string; pixels: Buffer; right: boolean }[] = [];

  it('draws the right background and shape colour in ≥ 90% of images and the right shape in ≥ 80%', async () => {
    expect(evaluation.heldOut.length).toBeGreaterThanOrEqual(24);
    const hits = { background: 0, colour: 0, shape: 0 };
    const misses: string[] = [];
    for (const item of evaluation.heldOut) {
      const { verdicts: results, pixels } = await verdicts(engine, item.caption, 1, SEEDS);
      results.forEach((v, i) => {
        if (i === 0) seedOne.push({ caption: item.caption, pixels: pixels[0] ?? Buffer.alloc(0), right: v.background === item.background && v.colour === item.colour && v.shape === item.shape });
        hits.background += Number(v.background === item.background);
        hits.colour += Number(v.colour === item.colour);
        hits.shape += Number(v.shape === item.shape);
        if (v.background !== item.background || v.colour !== item.colour || v.shape !== item.shape) {
          misses.push(`"${item.caption}" seed ${1 + i}: got ${v.colour ?? 'no'} ${v.shape ?? 'shape'} on ${v.background} (fill ${v.fill?.toFixed(2) ?? '-'})`);
        }
      });
    }
    const total = evaluation.heldOut.length * SEEDS;
    const rates = { background: hits.background / total, colour: hits.colour / total, shape: hits.shape / total, images: total };
    await mkdir('test-results', { recursive: true });
    await writeFile('test-results/embedded-model-quality.json', `${JSON.stringify({ rates, misses }, null, 2)}\n`);
    expect(rates.background, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(rates.colour, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    expect(rates.shape, misses.join('\n')).toBeGreaterThanOrEqual(0.8);
  });

  it('gives another image, matching the other caption, for the same seed and another caption', () => {
    expect(seedOne).toHaveLength(evaluation.heldOut.length);
    for (const [i, a] of seedOne.entries()) {
      for (const b of seedOne.slice(i + 1)) expect(a.pixels.equals(b.pixels), `${a.caption} / ${b.caption}`).toBe(false);
    }
    const right = seedOne.filter((s) => s.right).length;
    expect(right / seedOne.length).toBeGreaterThanOrEqual(0.8);
  });
});
