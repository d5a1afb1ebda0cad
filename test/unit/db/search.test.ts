import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { bm25Ranks, scoredPhrases, searchTokens, toFtsQuery } from '../../../db/search';

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

describe('bm25Ranks', () => {
  const documents = [
    'a castle on a hill at dusk',
    'castle castle by the sea, a castle of sand',
    'Le Château de la forêt, un château',
    'cyberpunk street, neon castle lights and a long long long long long long description of the castle',
    'a meadow',
    'castles and cyber-castle towers',
  ].map((prompt, i) => ({ id: i + 1, columns: [prompt, i === 4 ? 'castle, city' : '', i === 1 ? 'Castle' : '', ''] }));

  it('orders one-phrase searches exactly as FTS5 bm25() does, with the same column weights', () => {
    const sqlite = new SQLite(':memory:');
    sqlite.exec("CREATE VIRTUAL TABLE t USING fts5(prompt, negative_prompt, tags, albums, tokenize = 'unicode61 remove_diacritics 2')");
    const insert = sqlite.prepare('INSERT INTO t (rowid, prompt, negative_prompt, tags, albums) VALUES (?, ?, ?, ?, ?)');
    for (const d of documents) insert.run(d.id, ...d.columns);
    const weights = [10, 0.5, 5, 3];
    for (const text of ['castle', 'chateau', 'cast*', '"castle lights"', 'CYBER']) {
      const fts = toFtsQuery(text) ?? '';
      const expected = sqlite
        .prepare('SELECT rowid AS id, bm25(t, 10.0, 0.5, 5.0, 3.0) AS rank FROM t WHERE t MATCH ? ORDER BY rank, rowid')
        .all(fts) as { id: number; rank: number }[];
      const ranks = bm25Ranks(documents.filter((d) => expected.some((e) => e.id === d.id)), scoredPhrases(text), weights);
      const ours = [...ranks].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id]) => id);
      expect(ours, text).toEqual(expected.map((e) => e.id));
      expect(expected.length, text).toBeGreaterThan(0);
    }
    sqlite.close();
  });

  it('folds case and accents as the index does, and weighs rarer phrases more when told their IDF', () => {
    expect(searchTokens("L'Élégance, CYBER-punk 2077 ünïcödé")).toEqual(['l', 'elegance', 'cyber', 'punk', '2077', 'unicode']);
    const docs = [
      { id: 1, columns: ['fox fox dragon'] },
      { id: 2, columns: ['fox dragon dragon'] },
    ];
    const phrases = scoredPhrases('fox dragon');
    const even = bm25Ranks(docs, phrases, [1]);
    expect(even.get(1)).toBeCloseTo(even.get(2) ?? 0);
    const dragonRarer = bm25Ranks(docs, phrases, [1], [0.5, 3]);
    expect(dragonRarer.get(2) ?? 0).toBeLessThan(dragonRarer.get(1) ?? 0);
  });
});
