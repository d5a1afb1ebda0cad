/**
 * The AUTOMATIC1111 "parameters" text: what Civitai, A1111, Forge, InvokeAI's importer and most galleries
 * read from a PNG. Prompt, then "Negative prompt: …", then one line of "Key: value" pairs.
 */
import type { Sampler } from '../protocol';

/** Sampler and schedule-type names as AUTOMATIC1111 1.9+ writes them. */
const A1111_SAMPLERS: Readonly<Record<Sampler, { readonly sampler: string; readonly schedule: string }>> = {
  euler: { sampler: 'Euler', schedule: 'Automatic' },
  'euler-a': { sampler: 'Euler a', schedule: 'Automatic' },
  ddim: { sampler: 'DDIM', schedule: 'Automatic' },
  'dpmpp-2m': { sampler: 'DPM++ 2M', schedule: 'Automatic' },
  'dpmpp-2m-karras': { sampler: 'DPM++ 2M', schedule: 'Karras' },
  lcm: { sampler: 'LCM', schedule: 'Automatic' },
};

export interface ParametersInput {
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly steps: number;
  readonly sampler: Sampler;
  readonly guidance: number;
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  readonly modelHash: string;
  readonly modelName: string;
  readonly version: string;
}

/** A value that contains the list's separators is quoted, as A1111 does (its parser unquotes it). */
function value(v: string): string {
  return /[,:\n"]/.test(v) ? JSON.stringify(v) : v;
}

export function formatParameters(p: ParametersInput): string {
  const names = A1111_SAMPLERS[p.sampler];
  const fields: [string, string][] = [
    ['Steps', String(p.steps)],
    ['Sampler', names.sampler],
    ['Schedule type', names.schedule],
    ['CFG scale', String(p.guidance)],
    ['Seed', String(p.seed)],
    ['Size', `${p.width}x${p.height}`],
    ['Model hash', p.modelHash],
    ['Model', value(p.modelName)],
    ['Version', value(p.version)],
  ];
  const lines = [p.prompt];
  if (p.negativePrompt) lines.push(`Negative prompt: ${p.negativePrompt}`);
  lines.push(fields.map(([k, v]) => `${k}: ${v}`).join(', '));
  return lines.join('\n');
}
