/**
 * The search box's language, compiled to an FTS5 query that can never be a syntax error:
 * words (all must match), `word*` for a prefix, `"several words"` for a phrase, `-word` to exclude.
 * Words are split the way the index's `unicode61` tokenizer splits them and each is quoted, so user input
 * never reaches FTS5's own operators. Accents are folded by the index itself.
 */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

function quote(words: readonly string[]): string {
  return `"${words.join(' ')}"`;
}

interface Term {
  readonly expression: string;
  readonly negated: boolean;
}

function termsOf(input: string): Term[] {
  const terms: Term[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)([^\s"]+)/gu;
  for (const match of input.matchAll(pattern)) {
    const phrase = match[2];
    if (phrase !== undefined) {
      const words = phrase.match(WORD) ?? [];
      if (words.length > 0) terms.push({ expression: quote(words), negated: match[1] === '-' });
      continue;
    }
    const raw = match[4] ?? '';
    const negated = match[3] === '-';
    const prefix = raw.endsWith('*');
    const words = raw.match(WORD) ?? [];
    if (words.length === 0) continue;
    // "cyber-punk" is one phrase of two tokens, as the tokenizer indexed it.
    terms.push({ expression: words.length === 1 ? `${quote(words)}${prefix ? '*' : ''}` : quote(words), negated });
  }
  return terms;
}

/** The FTS5 MATCH expression for a search box input, or `undefined` when it contains nothing to search for. */
export function toFtsQuery(input: string): string | undefined {
  const terms = termsOf(input);
  const wanted = terms.filter((t) => !t.negated).map((t) => t.expression);
  if (wanted.length === 0) return undefined;
  const unwanted = terms.filter((t) => t.negated).map((t) => t.expression);
  const positive = wanted.join(' AND ');
  return unwanted.length === 0 ? positive : `(${positive}) NOT (${unwanted.join(' OR ')})`;
}
