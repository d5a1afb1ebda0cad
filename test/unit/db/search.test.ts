import { describe, expect, it } from 'vitest';
import { toFtsQuery } from '../../../db/search';

describe('toFtsQuery', () => {
  it('quotes every word and joins them with AND', () => {
    expect(toFtsQuery('red  fox')).toBe('"red" AND "fox"');
  });

  it('keeps a trailing * as a prefix query and quoted text as a phrase', () => {
    expect(toFtsQuery('cyber* "neon city"')).toBe('"cyber"* AND "neon city"');
  });

  it('turns -word into an exclusion, and ignores exclusions alone', () => {
    expect(toFtsQuery('castle -night -"dark sky"')).toBe('("castle") NOT ("night" OR "dark sky")');
    expect(toFtsQuery('-night')).toBeUndefined();
  });

  it('never lets FTS5 syntax through', () => {
    // Operators become plain words; words joined by punctuation become a phrase, as the tokenizer indexed them.
    expect(toFtsQuery('NEAR(a b) OR "x AND ^y:z')).toBe('"NEAR a" AND "b" AND "OR" AND "x AND y z"');
    expect(toFtsQuery('(((')).toBeUndefined();
    expect(toFtsQuery('')).toBeUndefined();
  });

  it('splits words the way the tokenizer does and keeps accents for the index to fold', () => {
    expect(toFtsQuery("l'élégance cyber-punk")).toBe('"l élégance" AND "cyber punk"');
  });
});
