/**
 * Local prompt moderation: the platform's published word lists and per-level policy, checked before anything
 * is sent or charged, so an obviously refused prompt fails at once and offline. The platform moderates again
 * (at check and at register) and its verdict is the one that counts; this copy only ever refuses earlier.
 *
 * Matching is by whole words or phrases, case-insensitive ("gunther" is not "gun").
 * Runtime: main-side Node.
 */
import type { ModerationLevel, Verdict } from './wire';

export type ModerationCategory = 'illegal' | 'sexual' | 'violence' | 'weapons' | 'suggestive';

export interface LocalModeration {
  readonly verdict: Verdict;
  readonly level: ModerationLevel;
  readonly categories: readonly { readonly category: ModerationCategory; readonly verdict: Verdict; readonly terms: readonly string[] }[];
}

const TERMS: Readonly<Record<ModerationCategory, readonly string[]>> = {
  illegal: ['counterfeit money', 'bomb making', 'drug lab'],
  sexual: ['nsfw', 'nude', 'naked', 'explicit', 'porn'],
  violence: ['gore', 'blood', 'decapitated', 'corpse', 'massacre'],
  weapons: ['gun', 'rifle', 'pistol', 'knife', 'sword'],
  suggestive: ['lingerie', 'bikini', 'seductive', 'cleavage'],
};

/** What a match in each category means at each plan level (free: strict, pro: standard, studio: relaxed). */
const POLICY: Readonly<Record<ModerationLevel, Readonly<Record<ModerationCategory, Verdict>>>> = {
  strict: { illegal: 'block', sexual: 'block', violence: 'block', weapons: 'review', suggestive: 'review' },
  standard: { illegal: 'block', sexual: 'block', violence: 'review', weapons: 'allow', suggestive: 'allow' },
  relaxed: { illegal: 'block', sexual: 'review', violence: 'allow', weapons: 'allow', suggestive: 'allow' },
};

const SEVERITY: Readonly<Record<Verdict, number>> = { allow: 0, review: 1, block: 2 };

const MATCHERS = (Object.entries(TERMS) as [ModerationCategory, readonly string[]][]).flatMap(([category, terms]) =>
  terms.map((term) => ({ category, term, pattern: new RegExp(`\\b${term.split(' ').join('\\s+')}\\b`, 'i') })),
);

export function moderateLocally(level: ModerationLevel, prompt: string): LocalModeration {
  const found = new Map<ModerationCategory, string[]>();
  for (const { category, term, pattern } of MATCHERS) {
    if (pattern.test(prompt)) found.set(category, [...(found.get(category) ?? []), term]);
  }
  const categories = [...found].map(([category, terms]) => ({ category, verdict: POLICY[level][category], terms }));
  const verdict = categories.reduce<Verdict>((worst, c) => (SEVERITY[c.verdict] > SEVERITY[worst] ? c.verdict : worst), 'allow');
  return { verdict, level, categories };
}
