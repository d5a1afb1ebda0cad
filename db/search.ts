/**
 * The search box's language, compiled to an FTS5 query that can never be a syntax error:
 * words (all must match), `word*` for a prefix, `"several words"` for a phrase, `-word` to exclude.
 * Words are split the way the index's `unicode61` tokenizer splits them and each is quoted, so user input
 * never reaches FTS5's own operators. Accents are folded by the index itself.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const ASCII = /^[\x00-\x7f]*$/;

function quote(words: readonly string[]): string {
  return `"${words.join(' ')}"`;
}

/** One quoted unit of a search: a word, a `word*` prefix or a `"several words"` phrase. */
export interface SearchPhrase {
  readonly words: readonly string[];
  readonly prefix: boolean;
  readonly negated: boolean;
}

/** The phrases of a search box input, in the order typed. */
export function phrasesOf(input: string): SearchPhrase[] {
  const phrases: SearchPhrase[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)([^\s"]+)/gu;
  for (const match of input.matchAll(pattern)) {
    const phrase = match[2];
    if (phrase !== undefined) {
      const words = phrase.match(WORD) ?? [];
      if (words.length > 0) phrases.push({ words, prefix: false, negated: match[1] === '-' });
      continue;
    }
    const raw = match[4] ?? '';
    const words = raw.match(WORD) ?? [];
    if (words.length === 0) continue;
    // "cyber-punk" is one phrase of two tokens, as the tokenizer indexed it.
    phrases.push({ words, prefix: words.length === 1 && raw.endsWith('*'), negated: match[3] === '-' });
  }
  return phrases;
}

/** One phrase as an FTS5 expression (negation aside). */
export const phraseExpression = (p: SearchPhrase) => `${quote(p.words)}${p.prefix ? '*' : ''}`;

/**
 * The FTS5 MATCH expression for `phrases`: all the wanted ones and none of the negated ones, or `undefined`
 * when none is wanted.
 */
export function ftsQueryOf(phrases: readonly SearchPhrase[]): string | undefined {
  const wanted = phrases.filter((p) => !p.negated).map(phraseExpression);
  if (wanted.length === 0) return undefined;
  const unwanted = phrases.filter((p) => p.negated).map(phraseExpression);
  const positive = wanted.join(' AND ');
  return unwanted.length === 0 ? positive : `(${positive}) NOT (${unwanted.join(' OR ')})`;
}

/** The FTS5 MATCH expression for a search box input, or `undefined` when it contains nothing to search for. */
export function toFtsQuery(input: string): string | undefined {
  return ftsQueryOf(phrasesOf(input));
}

/** Non-ASCII characters as the index folds them: lower case without accents, or a space for a separator. */
const FOLDED = new Map<string, string>();

function foldCharacter(character: string): string {
  let folded = FOLDED.get(character);
  if (folded === undefined) {
    const base = character.normalize('NFD').replace(/\p{M}+/gu, '');
    folded = /^[\p{L}\p{N}\p{Co}]+$/u.test(base) ? base : ' ';
    FOLDED.set(character, folded);
  }
  return folded;
}

/**
 * Text as the index's tokenizer (`unicode61 remove_diacritics 2`) sees it, as closely as JavaScript can say
 * it: lower case, accents folded, and every non-ASCII separator a space, so that a token is a run of ASCII
 * letters and digits or of other characters. Used to score matches, never to find them (FTS5 decides what
 * matches), so a rare difference can only nudge a score.
 */
function fold(text: string): string {
  const lower = text.toLowerCase();
  // Most prompts are ASCII; the rest go character by character through a small cache.
  return ASCII.test(lower) ? lower : lower.replace(/[^\x00-\x7f]/gu, foldCharacter);
}

function isTokenCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code > 127 && code !== 32);
}

/** The tokens of `text`, folded as the index folds them. */
export function searchTokens(text: string): string[] {
  const folded = fold(text);
  const tokens: string[] = [];
  for (let i = 0; i < folded.length; ) {
    while (i < folded.length && !isTokenCode(folded.charCodeAt(i))) i++;
    const start = i;
    while (i < folded.length && isTokenCode(folded.charCodeAt(i))) i++;
    if (i > start) tokens.push(folded.slice(start, i));
  }
  return tokens;
}

/** Each wanted phrase of a search, as a search of its own, in the order of `scoredPhrases`. */
export function wantedPhrases(input: string): readonly SearchPhrase[] {
  return phrasesOf(input).filter((p) => !p.negated && searchTokens(p.words.join(' ')).length > 0);
}

/** A wanted phrase of a search, in the index's tokens, as scoring sees it. */
export interface ScoredPhrase {
  readonly tokens: readonly string[];
  /** The last token is a prefix. */
  readonly prefix: boolean;
}

/** The phrases a match is scored on: the wanted ones (an excluded phrase never occurs in a match). */
export function scoredPhrases(input: string): readonly ScoredPhrase[] {
  return phrasesOf(input)
    .filter((p) => !p.negated)
    .map((p) => ({ tokens: searchTokens(p.words.join(' ')), prefix: p.prefix }))
    .filter((p) => p.tokens.length > 0);
}

/** A match to score: its id and the text of each indexed column, in the index's column order. */
export interface ScoredDocument {
  readonly id: number;
  readonly columns: readonly string[];
}

/** Token boundaries of the column being scored, reused from column to column. */
let starts: Int32Array = new Int32Array(256);
let ends: Int32Array = new Int32Array(256);

/**
 * Adds `weight` × each phrase's hits in `text` to `frequencies` and returns the number of tokens. The text is
 * scanned in place: no string is made per token.
 */
function scoreColumn(text: string, phrases: readonly ScoredPhrase[], weight: number, frequencies: number[]): number {
  if (text === '') return 0;
  const lower = fold(text);
  if (phrases.every((p) => p.tokens.length === 1)) return scoreWords(lower, phrases, weight, frequencies);
  let count = 0;
  for (let i = 0; i < lower.length; ) {
    while (i < lower.length && !isTokenCode(lower.charCodeAt(i))) i++;
    if (i === lower.length) break;
    const start = i;
    while (i < lower.length && isTokenCode(lower.charCodeAt(i))) i++;
    if (count === starts.length) {
      starts = growTo(starts, count * 2);
      ends = growTo(ends, count * 2);
    }
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  for (let p = 0; p < phrases.length; p++) {
    const phrase = phrases[p];
    if (phrase === undefined) continue;
    const wanted = phrase.tokens;
    const n = wanted.length;
    let hits = 0;
    for (let t = 0; t + n <= count; t++) {
      let j = 0;
      for (; j < n; j++) {
        const want = wanted[j] ?? '';
        const start = starts[t + j] ?? 0;
        const length = (ends[t + j] ?? 0) - start;
        if (phrase.prefix && j === n - 1 ? length < want.length : length !== want.length) break;
        if (!lower.startsWith(want, start)) break;
      }
      if (j === n) hits++;
    }
    frequencies[p] = (frequencies[p] ?? 0) + weight * hits;
  }
  return count;
}

/**
 * `scoreColumn` for phrases of one token each (most searches): each token is checked as the scan passes it,
 * without recording where the tokens are.
 */
function scoreWords(lower: string, phrases: readonly ScoredPhrase[], weight: number, frequencies: number[]): number {
  let count = 0;
  const end = lower.length;
  for (let i = 0; i < end; ) {
    while (i < end && !isTokenCode(lower.charCodeAt(i))) i++;
    if (i === end) break;
    const start = i;
    while (i < end && isTokenCode(lower.charCodeAt(i))) i++;
    count++;
    const length = i - start;
    for (let p = 0; p < phrases.length; p++) {
      const phrase = phrases[p];
      const want = phrase?.tokens[0] ?? '';
      if ((phrase?.prefix === true ? length >= want.length : length === want.length) && lower.startsWith(want, start)) {
        frequencies[p] = (frequencies[p] ?? 0) + weight;
      }
    }
  }
  return count;
}

function growTo(array: Int32Array, length: number): Int32Array {
  const grown = new Int32Array(length);
  grown.set(array);
  return grown;
}

/**
 * FTS5's bm25() (k1 = 1.2, b = 0.75; column weights multiply each hit) over `documents`, as ranks: lower is
 * better, like FTS5's `rank`. Document lengths are averaged over `documents`; `idf` gives each phrase's weight
 * (all 1 when omitted, which orders a one-phrase search exactly as bm25() does).
 */
export function bm25Ranks(
  documents: readonly ScoredDocument[],
  phrases: readonly ScoredPhrase[],
  weights: readonly number[],
  idf: readonly number[] = phrases.map(() => 1),
): Map<number, number> {
  const k1 = 1.2;
  const b = 0.75;
  const scored = documents.map((document) => {
    const frequencies = phrases.map(() => 0);
    const length = document.columns.reduce((sum, text, c) => sum + scoreColumn(text, phrases, weights[c] ?? 1, frequencies), 0);
    return { id: document.id, length, frequencies };
  });
  const average = scored.reduce((sum, d) => sum + d.length, 0) / Math.max(1, scored.length) || 1;
  const ranks = new Map<number, number>();
  for (const document of scored) {
    const norm = k1 * (1 - b + (b * document.length) / average);
    let score = 0;
    document.frequencies.forEach((frequency, p) => {
      score += ((idf[p] ?? 1) * (frequency * (k1 + 1))) / (frequency + norm);
    });
    ranks.set(document.id, -score);
  }
  return ranks;
}
