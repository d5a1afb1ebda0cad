/**
 * The companion prompt template, once for both ends: main applies the saved template when a job with a
 * companion is queued (electron/sync/companions.ts), and the Generate screen applies the same rules to show the
 * prompt the job will get before it is submitted.
 *
 *   {prompt}               what the user typed (required: a template without it would drop the prompt)
 *   {companion.name}       the companion's name
 *   {companion.traits}     every trait's words, in the platform's order, joined with ", "
 *   {companion.trait.KEY}  one trait's words by its key (`hair`, `outfit`…), empty when the companion has none
 * Any other `{…}` makes the template unusable.
 *
 * Runtime: plain TypeScript (renderer, main).
 */

export const DEFAULT_COMPANION_TEMPLATE = '{prompt}, {companion.traits}';
export const MAX_COMPANION_TEMPLATE_LENGTH = 2000;

/** What the template needs of a companion. */
export interface TemplateCompanion {
  readonly name: string;
  readonly traits: readonly { readonly key: string; readonly value: string }[];
}

export interface CompanionTemplateProblems {
  readonly tooLong: boolean;
  readonly missingPrompt: boolean;
  /** The unknown placeholders, braces included, in the order they appear. */
  readonly unknown: readonly string[];
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(prompt|companion\.name|companion\.traits|companion\.trait\.[A-Za-z0-9_-]+)$/;

export function companionTemplateProblems(template: string): CompanionTemplateProblems {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  return {
    tooLong: template.length > MAX_COMPANION_TEMPLATE_LENGTH,
    missingPrompt: !names.includes('prompt'),
    unknown: names.filter((n) => !KNOWN.test(n)).map((n) => `{${n}}`),
  };
}

export function isUsableCompanionTemplate(template: string): boolean {
  const problems = companionTemplateProblems(template);
  return !problems.tooLong && !problems.missingPrompt && problems.unknown.length === 0;
}

/** The prompt with the companion's traits put in; separators left dangling by empty parts are removed. */
export function applyCompanionTemplate(template: string, prompt: string, companion: TemplateCompanion): string {
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
