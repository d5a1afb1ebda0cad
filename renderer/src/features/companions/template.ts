/**
 * The companion prompt template, applied in the page to show the prompt a generation will use before it is
 * submitted. Main applies the saved template itself when the job is queued (electron/sync/companions.ts); the
 * rules here are the contract's (`CompanionTemplate` in electron/contract/platform.ts) and the end-to-end
 * test checks that the prompt shown is the prompt the job got.
 *
 *   {prompt}               what the user typed
 *   {companion.name}       the companion's name
 *   {companion.traits}     every trait's words, in order, joined with ", "
 *   {companion.trait.KEY}  one trait's words, empty when the companion has no such trait
 */
import type { Companion } from '../../../../electron/contract';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(prompt|companion\.name|companion\.traits|companion\.trait\.[A-Za-z0-9_-]+)$/;

/** The placeholders the template names but the studio does not know, and whether it keeps the prompt. */
export function templateProblems(template: string): { readonly missingPrompt: boolean; readonly unknown: readonly string[] } {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  return { missingPrompt: !names.includes('prompt'), unknown: names.filter((n) => !KNOWN.test(n)).map((n) => `{${n}}`) };
}

/** The prompt with the companion's traits put in; separators left dangling by empty parts are removed. */
export function promptWithCompanion(template: string, prompt: string, companion: Companion): string {
  const traits = companion.traits.map((t) => t.value.trim()).filter((v) => v !== '');
  const filled = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'prompt') return prompt.trim();
    if (name === 'companion.name') return companion.name;
    if (name === 'companion.traits') return traits.join(', ');
    if (name.startsWith('companion.trait.')) return companion.traits.find((t) => t.key === name.slice('companion.trait.'.length))?.value.trim() ?? '';
    return whole;
  });
  return filled
    .replace(/\s*,(\s*,)+/g, ',')
    .replace(/^\s*,\s*|\s*,\s*$/g, '')
    .trim();
}
