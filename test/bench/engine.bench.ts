/**
 * `npm run bench:engine`: the embedded model at its native size, 20 steps, through the real engine process.
 * Prints the time per stage, the pipeline's overhead ((total − time inside onnxruntime) / total, target
 * ≤ 3%), and, where /usr/bin/python3 has PyTorch, our time over the training code's PyTorch sampling loop on
 * the same weights, steps and thread count (target ≤ 0.7).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineHost, forkEngine } from '../../electron/core/engine/host';
import type { GenerateRequest, StageTimings } from '../../inference/protocol';
import { TorchGenerator } from '../../inference/rng/torch-generator';
import { EMBEDDED_MODEL } from '../support/paths';

const THREADS = 2;
const RUNS = 10;
const STEPS = 20;
const PROMPT = 'a large red circle on a blue background';

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function ours(): Promise<StageTimings[]> {
  const engine = new EngineHost(forkEngine({ ...process.env, STUDIO_THREADS: String(THREADS) }));
  try {
    await engine.ready;
    const info = await engine.call({ type: 'load', model: EMBEDDED_MODEL });
    const request: GenerateRequest = { prompt: PROMPT, negativePrompt: '', model: EMBEDDED_MODEL, sampler: 'euler', steps: STEPS, guidance: 7, seed: 42, width: info.nativeWidth, height: info.nativeHeight, batchSize: 1, previewEvery: 0 };
    await engine.call({ type: 'generate', request });
    const runs: StageTimings[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await engine.call({ type: 'generate', request: { ...request, seed: 42 + i } })).timings);
    return runs;
  } finally {
    await engine.stop();
  }
}

function pytorch(): Promise<number[] | string> {
  const script = fileURLToPath(new URL('../../training/bench_torch.py', import.meta.url));
  const args = [script, EMBEDDED_MODEL, '--steps', String(STEPS), '--threads', String(THREADS), '--runs', String(RUNS), '--prompt', PROMPT];
  return new Promise((resolve) => {
    execFile('/usr/bin/python3', args, { cwd: fileURLToPath(new URL('../../training', import.meta.url)) }, (error, stdout, stderr) => {
      if (error) resolve(`PyTorch comparison skipped: ${stderr.trim().split('\n').at(-1) ?? error.message}`);
      else resolve((JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { runs_ms: number[] }).runs_ms);
    });
  });
}

const runs = await ours();
const m = (key: keyof StageTimings) => median(runs.map((r) => r[key]));
const total = m('totalMs');
const rows: [string, number][] = [
  ['tokenize', m('tokenizeMs')],
  ['text encode', m('textEncodeMs')],
  ['UNet per step', m('unetMs') / STEPS],
  ['scheduler per step', m('schedulerMs') / STEPS],
  ['VAE decode', m('vaeDecodeMs')],
  ['PNG encode', m('pngMs')],
  ['total', total],
];
console.log(`Embedded model, ${STEPS} steps, guidance 7, ${THREADS} threads, median of ${RUNS} runs (ms):`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(20)} ${ms.toFixed(3)}`);
const overheads = runs.map((r) => (r.totalMs - r.onnxMs) / r.totalMs);
console.log(`pipeline overhead (total − onnxruntime) / total: ${(median(overheads) * 100).toFixed(2)}% (target ≤ 3%)`);

// The seed's initial latents at the largest size the engine draws (SDXL 1024², 1×4×128×128), best of ten runs
// (the first include JIT warm-up): what a seed costs before the first step, next to a whole generation here.
const generator = new TorchGenerator(42);
let latentsMs = Number.POSITIVE_INFINITY;
for (let run = 0; run < 10; run++) {
  const start = performance.now();
  generator.randn([1, 4, 128, 128]);
  latentsMs = Math.min(latentsMs, performance.now() - start);
}
console.log(`initial latents of a 1024×1024 image (1×4×128×128): ${latentsMs.toFixed(2)} ms, ${((latentsMs / total) * 100).toFixed(1)}% of one embedded-model generation`);

const torch = await pytorch();
if (typeof torch === 'string') {
  console.log(torch);
} else {
  // PyTorch's loop draws, encodes, denoises and decodes; it writes no PNG, so ours is compared without it too.
  const without = median(runs.map((r) => r.totalMs - r.pngMs));
  console.log(`PyTorch sampling loop, same weights: median ${median(torch).toFixed(1)} ms`);
  console.log(`ours / PyTorch: ${(without / median(torch)).toFixed(3)} (target ≤ 0.7; ours without PNG ${without.toFixed(1)} ms)`);
}
