// @vitest-environment jsdom
/** The dictionaries and the choice of language. */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../electron/contract';
import { describeError } from '../../../renderer/src/errors';
import { en } from '../../../renderer/src/i18n/en';
import { fr } from '../../../renderer/src/i18n/fr';
import { resolveLocale, translator } from '../../../renderer/src/i18n';

describe('i18n', () => {
  it('follows the system languages in order unless the settings choose', () => {
    expect(resolveLocale('system', ['fr-CA', 'en-US'])).toBe('fr');
    expect(resolveLocale('system', ['de-DE', 'en-GB', 'fr'])).toBe('en');
    expect(resolveLocale('system', ['ja'])).toBe('en');
    expect(resolveLocale('en', ['fr-FR'])).toBe('en');
    expect(resolveLocale('fr', [])).toBe('fr');
  });

  it('fills placeholders, formatting numbers for the locale', () => {
    expect(translator('en')('gallery.count', { count: 12345 })).toBe('12,345 images');
    expect(translator('fr')('gallery.count', { count: 12345 })).toBe(`12\u202f345 images`);
    expect(translator('fr')('albums.deleteConfirm', { name: 'Cercles' })).toBe('Supprimer « Cercles » ? Ses images restent dans la bibliothèque.');
  });

  it('has every English key in French, translated, with the same placeholders', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
      expect(fr[key].trim(), key).not.toBe('');
    }
  });

  it('gives every error code a sentence in both languages, and main’s own message only where it names the thing', () => {
    for (const locale of ['en', 'fr'] as const) {
      const t = translator(locale);
      const sentences = new Set(ERROR_CODES.map((code) => describeError(t, { code, message: 'm' }).sentence));
      expect(sentences.size).toBe(ERROR_CODES.length);
    }
    const t = translator('en');
    expect(describeError(t, { code: 'MODEL_INVALID', message: '/tmp is not a usable model folder: model_index.json missing' })).toEqual({
      sentence: en['error.MODEL_INVALID'],
      detail: '/tmp is not a usable model folder: model_index.json missing',
    });
    expect(describeError(t, { code: 'INTERNAL', message: 'Error: boom\n    at x (y.ts:1:1)' }).detail).toBeNull();
  });
});
