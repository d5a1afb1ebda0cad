/** `studio models`: the execution providers here, and the models found. Runtime: Node (CLI). */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command';
import { EMBEDDED_MODEL, findModels, modelsFolder } from '../../core/models';
import { withEngine } from '../engine-session';
import { EngineCallError } from '../../core/engine/host';

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List the execution providers available here and the models found',
  usage: 'Usage: studio models [--json]\n\nModels: the embedded one, and each folder with a model_index.json in STUDIO_MODELS (or the per-user models folder).',
  async run(args, io) {
    let json = false;
    try {
      json = parseArgs({ args: [...args], options: { json: { type: 'boolean' } } }).values.json ?? false;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const paths = await findModels(io.env);
    const report = await withEngine(io, async (engine) => {
      const devices = await engine.call({ type: 'devices' });
      const models = [];
      for (const path of paths) {
        try {
          models.push({ path, ok: true as const, info: await engine.call({ type: 'inspect', model: path }) });
        } catch (error) {
          if (!(error instanceof EngineCallError)) throw error;
          models.push({ path, ok: false as const, error: error.message });
        }
      }
      return { devices, models, modelsFolder: modelsFolder(io.env) };
    });
    if (json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [`Execution providers (${report.devices.platform}-${report.devices.arch}, onnxruntime ${report.devices.onnxruntime}):`];
    for (const p of report.devices.providers) lines.push(`  ${p.name.padEnd(7)} ${p.available ? 'available' : `unavailable: ${p.reason ?? ''}`}`);
    lines.push('', `Models (add your own in ${report.modelsFolder}):`);
    for (const m of report.models) {
      lines.push(m.ok ? `  ${m.info.name}  ${m.info.family}, ${m.info.nativeWidth}x${m.info.nativeHeight}, ${m.info.maxTokens} tokens, hash ${m.info.hash}\n    ${m.path}` : `  ${m.path}\n    unusable: ${m.error}`);
      if (m.path === EMBEDDED_MODEL) {
        lines.push('    A small demonstration model: one coloured shape on a coloured background, 64x64, a few dozen words (its README lists them).');
        lines.push(`    For real images, put a Stable Diffusion model in the diffusers ONNX layout in ${report.modelsFolder}.`);
      }
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
