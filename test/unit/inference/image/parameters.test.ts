import { describe, expect, it } from 'vitest';
import { formatParameters } from '../../../../inference/image/parameters';

const base = {
  prompt: 'a large red circle on a blue background',
  negativePrompt: 'blurry',
  steps: 20,
  sampler: 'euler-a' as const,
  guidance: 7,
  seed: 42,
  width: 64,
  height: 64,
  modelHash: '0123456789',
  modelName: 'studio-shapes',
  version: 'Studio 0.1.0',
};

describe('AUTOMATIC1111 parameters', () => {
  it('writes prompt, negative prompt and the settings line as AUTOMATIC1111 does', () => {
    expect(formatParameters(base)).toBe(
      'a large red circle on a blue background\nNegative prompt: blurry\n' +
        'Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 42, Size: 64x64, Model hash: 0123456789, Model: studio-shapes, Version: Studio 0.1.0',
    );
  });

  it('leaves out the negative prompt line when there is none', () => {
    expect(formatParameters({ ...base, negativePrompt: '' }).split('\n')).toHaveLength(2);
  });

  it('writes DPM++ 2M Karras as the sampler with its schedule type', () => {
    expect(formatParameters({ ...base, sampler: 'dpmpp-2m-karras', guidance: 5.5 })).toContain('Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5');
  });

  it('quotes a model name that contains the list separators', () => {
    expect(formatParameters({ ...base, modelName: 'my model, v2: final' })).toContain('Model: "my model, v2: final"');
  });
});
