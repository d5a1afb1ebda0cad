import { describe, expect, it } from 'vitest';
import { interpretTexts, parseA1111 } from '../../../../db/metadata/fields';

const texts = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('parseA1111', () => {
  it('splits a multi-line prompt, the negative prompt and the parameters line', () => {
    const parsed = parseA1111(
      'masterpiece, a castle\nat dusk\nNegative prompt: lowres,\nugly\n' +
        'Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 3000000000, Size: 512x768, ' +
        'Model hash: abc123, Model: dream, Lora hashes: "a: 1, b: 2", Version: v1.10.1',
    );
    expect(parsed?.fields).toEqual({
      prompt: 'masterpiece, a castle\nat dusk',
      negativePrompt: 'lowres,\nugly',
      modelName: 'dream',
      modelHash: 'abc123',
      sampler: 'DPM++ 2M',
      steps: 30,
      guidance: 5.5,
      seed: 3000000000,
    });
    expect(parsed?.version).toBe('v1.10.1');
  });

  it('refuses text with no parameters line', () => {
    expect(parseA1111('just a prompt')).toBeUndefined();
  });
});

describe('interpretTexts', () => {
  it('reads ComfyUI API graphs by following links from the sampler', () => {
    const graph = {
      '3': { class_type: 'KSampler', inputs: { seed: 7, steps: 25, cfg: 6, sampler_name: 'euler', model: ['10', 0], positive: ['6', 0], negative: ['7', 0] } },
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sdxl.safetensors' } },
      '10': { class_type: 'LoraLoader', inputs: { model: ['4', 0] } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: ['11', 0] } },
      '11': { class_type: 'PrimitiveString', inputs: { value: 'a lighthouse in a storm' } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark' } },
    };
    const { source, fields } = interpretTexts(texts({ prompt: JSON.stringify(graph), workflow: '{}' }));
    expect(source).toBe('comfyui');
    expect(fields).toEqual({
      prompt: 'a lighthouse in a storm',
      negativePrompt: 'text, watermark',
      modelName: 'sdxl.safetensors',
      modelHash: null,
      sampler: 'euler',
      steps: 25,
      guidance: 6,
      seed: 7,
    });
  });

  it('survives cyclic ComfyUI links', () => {
    const graph = { '1': { inputs: { positive: ['2', 0] } }, '2': { inputs: { text: ['2', 0] } } };
    expect(interpretTexts(texts({ prompt: JSON.stringify(graph) })).fields.prompt).toBe('');
  });

  it('falls back to the ComfyUI workflow', () => {
    const workflow = { nodes: [{ type: 'CLIPTextEncode', widgets_values: ['a quiet lake'] }, { type: 'CLIPTextEncode', widgets_values: ['people'] }] };
    expect(interpretTexts(texts({ workflow: JSON.stringify(workflow) }))).toMatchObject({
      source: 'comfyui',
      fields: { prompt: 'a quiet lake', negativePrompt: 'people' },
    });
  });

  it('reads InvokeAI metadata', () => {
    const meta = { positive_prompt: 'a robot', negative_prompt: 'rust', model: { name: 'juggernaut', hash: 'blake3:ff' }, seed: 9, steps: 30, cfg_scale: 7.5, scheduler: 'dpmpp_2m' };
    expect(interpretTexts(texts({ invokeai_metadata: JSON.stringify(meta) }))).toEqual({
      source: 'invokeai',
      fields: { prompt: 'a robot', negativePrompt: 'rust', modelName: 'juggernaut', modelHash: 'blake3:ff', sampler: 'dpmpp_2m', steps: 30, guidance: 7.5, seed: 9 },
    });
  });

  it('reads Fooocus JSON and A1111-style Fooocus text', () => {
    const json = { prompt: 'a cat', negative_prompt: '', steps: 30, sampler: 'dpmpp_2m_sde_gpu', seed: '123', guidance_scale: 4, base_model: 'juggernautXL' };
    expect(interpretTexts(texts({ parameters: JSON.stringify(json), fooocus_scheme: 'fooocus' }))).toMatchObject({
      source: 'fooocus',
      fields: { prompt: 'a cat', seed: 123, guidance: 4, modelName: 'juggernautXL' },
    });
    expect(interpretTexts(texts({ parameters: 'a dog\nSteps: 30, Seed: 1, Version: Fooocus v2.5.0' })).source).toBe('fooocus');
  });

  it('keeps a bare prompt searchable and tolerates garbage', () => {
    expect(interpretTexts(texts({ parameters: 'just words' }))).toMatchObject({ source: 'unknown', fields: { prompt: 'just words' } });
    expect(interpretTexts(texts({ invokeai_metadata: '[1,2', prompt: 'null', studio: '{}' })).source).toBe('unknown');
  });
});
