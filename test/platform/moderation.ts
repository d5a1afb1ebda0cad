/**
 * Prompt moderation by word lists. Each category has terms; each plan level decides what a match in that
 * category means (allow, review by a person, block). The overall verdict is the worst of the matches.
 */
import type { ModerationLevel } from './plans';

export type Verdict = 'allow' | 'review' | 'block';
export type Category = 'illegal' | 'sexual' | 'violence' | 'weapons' | 'suggestive';

export interface ModerationResult {
  readonly verdict: Verdict;
  readonly level: ModerationLevel;
  readonly categories: readonly { readonly category: Category; readonly verdict: Verdict; readonly terms: readonly string[] }[];
}

const terms: Readonly<Record<Category, readonly string[]>> = {
  illegal: ['counterfeit money', 'bomb making', 'drug lab'],
  sexual: ['nsfw', 'nude', 'naked', 'explicit', 'porn'],
  violence: ['gore', 'blood', 'decapitated', 'corpse', 'massacre'],
  weapons: ['gun', 'rifle', 'pistol', 'knife', 'sword'],
  suggestive: ['lingerie', 'bikini', 'seductive', 'cleavage'],
};

const policy: Readonly<Record<ModerationLevel, Readonly<Record<Category, Verdict>>>> = {
  strict: { illegal: 'block', sexual: 'block', violence: 'block', weapons: 'review', suggestive: 'review' },
  standard: { illegal: 'block', sexual: 'block', violence: 'review', weapons: 'allow', suggestive: 'allow' },
  relaxed: { illegal: 'block', sexual: 'review', violence: 'allow', weapons: 'allow', suggestive: 'allow' },
};

const severity: Readonly<Record<Verdict, number>> = { allow: 0, review: 1, block: 2 };

/** Whole words (or phrases), case-insensitive, so "gunther" or "bloodhound" do not match. */
const patterns = Object.entries(terms).flatMap(([category, list]) =>
  list.map((term) => ({ category: category as Category, term, pattern: new RegExp(`\\b${term.replaceAll(' ', '\\s+')}\\b`, 'i') })),
);

export function moderate(level: ModerationLevel, prompt: string): ModerationResult {
  const matched = new Map<Category, string[]>();
  for (const { category, term, pattern } of patterns) {
    if (pattern.test(prompt)) matched.set(category, [...(matched.get(category) ?? []), term]);
  }
  const categories = [...matched].map(([category, found]) => ({ category, verdict: policy[level][category], terms: found }));
  const verdict = categories.reduce<Verdict>((worst, c) => (severity[c.verdict] > severity[worst] ? c.verdict : worst), 'allow');
  return { verdict, level, categories };
}
