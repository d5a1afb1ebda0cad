import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Companions } from '../../../../electron/sync/companions';
import { applyCompanionTemplate, checkCompanionTemplate, DEFAULT_COMPANION_TEMPLATE, PlatformClient } from '../../../../electron/sync/index';

const aurora = {
  id: 'cmp_aurora01',
  name: 'Aurora',
  description: 'A cartographer.',
  traits: [
    { key: 'hair', label: 'Hair', value: 'long silver hair' },
    { key: 'eyes', label: 'Eyes', value: 'pale green eyes' },
  ],
  updatedAt: '2026-11-29T00:00:00.000Z',
};

describe('the companion prompt template', () => {
  it('puts the traits after the prompt by default', () => {
    expect(applyCompanionTemplate(DEFAULT_COMPANION_TEMPLATE, 'reading a map by lamplight', aurora)).toBe('reading a map by lamplight, long silver hair, pale green eyes');
  });

  it('fills the name and single traits, and tidies the commas of empty parts', () => {
    const template = '{companion.name}, {companion.trait.eyes}, {companion.trait.outfit}, {prompt}';
    expect(applyCompanionTemplate(template, ' on a cliff ', aurora)).toBe('Aurora, pale green eyes, on a cliff');
    expect(applyCompanionTemplate('{prompt}, {companion.traits}', '', { ...aurora, traits: [] })).toBe('');
  });

  it('refuses a template without {prompt} or with unknown placeholders', () => {
    expect(checkCompanionTemplate(DEFAULT_COMPANION_TEMPLATE)).toEqual([]);
    expect(checkCompanionTemplate('{companion.traits}')).toEqual(['The template must contain {prompt}.']);
    expect(checkCompanionTemplate('{prompt} {companion.age}')).toEqual(['{companion.age} is not a placeholder the template knows.']);
    expect(checkCompanionTemplate(`{prompt}${'x'.repeat(2000)}`)).toHaveLength(1);
  });

  it('saves the template atomically, falls back to the default, and refuses a bad one with INVALID_INPUT', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-companions-'));
    try {
      // Nothing listens there: the cache is what answers.
      const companions = new Companions(new PlatformClient({ baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 }), dir);
      expect(await companions.template()).toBe(DEFAULT_COMPANION_TEMPLATE);
      expect(await companions.setTemplate('{prompt} with {companion.name}')).toBe('{prompt} with {companion.name}');
      expect(await new Companions(new PlatformClient({ baseUrl: 'http://127.0.0.1:9' }), dir).template()).toBe('{prompt} with {companion.name}');
      await expect(companions.setTemplate('no prompt here')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(await companions.setTemplate(null)).toBe(DEFAULT_COMPANION_TEMPLATE);
      // Offline with no cache: an empty list, marked offline; a companion that is not cached is NOT_FOUND.
      expect(await companions.list()).toEqual({ items: [], fetchedAt: null, offline: true });
      await expect(companions.promptFor('x', 'cmp_aurora01')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
