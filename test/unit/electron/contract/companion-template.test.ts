/**
 * The companion prompt template's rules, which main (when a job is queued) and the Generate screen (to show the
 * prompt before it is submitted) share.
 */
import { describe, expect, it } from 'vitest';
import {
  applyCompanionTemplate,
  companionTemplateProblems,
  DEFAULT_COMPANION_TEMPLATE,
  isUsableCompanionTemplate,
  MAX_COMPANION_TEMPLATE_LENGTH,
} from '../../../../electron/contract';

const aurora = {
  name: 'Aurora',
  traits: [
    { key: 'hair', value: 'long silver hair' },
    { key: 'eyes', value: ' pale green eyes ' },
  ],
};

describe('applyCompanionTemplate', () => {
  it('puts the traits after the prompt by default', () => {
    expect(applyCompanionTemplate(DEFAULT_COMPANION_TEMPLATE, '  reading a map by lamplight ', aurora)).toBe('reading a map by lamplight, long silver hair, pale green eyes');
  });

  it('fills the name and single traits by key', () => {
    expect(applyCompanionTemplate('{companion.name}, {companion.trait.eyes}, {prompt}', 'a lighthouse', aurora)).toBe('Aurora, pale green eyes, a lighthouse');
  });

  it('tidies the separators an empty part leaves, at either end and in the middle', () => {
    expect(applyCompanionTemplate('{prompt}, {companion.trait.outfit}, {companion.trait.hair}', 'a lighthouse', aurora)).toBe('a lighthouse, long silver hair');
    expect(applyCompanionTemplate('{companion.trait.outfit}, {prompt}, {companion.trait.hat}', 'a lighthouse', aurora)).toBe('a lighthouse');
    expect(applyCompanionTemplate('{prompt}, {companion.traits}', '', { ...aurora, traits: [] })).toBe('');
  });

  it('leaves text outside placeholders as it is', () => {
    expect(applyCompanionTemplate('portrait of {companion.name}: {prompt}', 'at dawn', aurora)).toBe('portrait of Aurora: at dawn');
  });
});

describe('companionTemplateProblems', () => {
  it('accepts every documented placeholder', () => {
    const template = '{prompt}, {companion.name}, {companion.traits}, {companion.trait.hair-colour}';
    expect(companionTemplateProblems(template)).toEqual({ tooLong: false, missingPrompt: false, unknown: [] });
    expect(isUsableCompanionTemplate(template)).toBe(true);
  });

  it('names a missing {prompt} and the unknown placeholders in order', () => {
    expect(companionTemplateProblems('{companion.name} {style} {companion.trait.}')).toEqual({ tooLong: false, missingPrompt: true, unknown: ['{style}', '{companion.trait.}'] });
    expect(isUsableCompanionTemplate('{companion.traits}')).toBe(false);
  });

  it('refuses a template past its length limit', () => {
    const long = `{prompt}${'x'.repeat(MAX_COMPANION_TEMPLATE_LENGTH)}`;
    expect(companionTemplateProblems(long).tooLong).toBe(true);
    expect(isUsableCompanionTemplate(long)).toBe(false);
  });
});
