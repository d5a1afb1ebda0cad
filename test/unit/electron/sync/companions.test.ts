import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Companions } from '../../../../electron/sync/companions';
import { DEFAULT_COMPANION_TEMPLATE } from '../../../../electron/contract';
import { checkCompanionTemplate, PlatformClient } from '../../../../electron/sync/index';

describe('the companion prompt template in the sync folder', () => {
  it('names what is wrong with a template in sentences', () => {
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
