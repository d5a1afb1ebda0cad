/**
 * Companions: the platform's characters, fetched when online and cached in the sync folder so the Generate
 * screen's picker works offline; and the companion prompt template, which the user sees and may edit.
 *
 * The template is plain text with placeholders:
 *   {prompt}               what the user typed (required: a template without it would drop the prompt)
 *   {companion.name}       the companion's name
 *   {companion.traits}     every trait's words, in the platform's order, joined with ", "
 *   {companion.trait.KEY}  one trait's words by its key (`hair`, `outfit`…), empty when the companion has none
 * The default is `{prompt}, {companion.traits}`. Any other `{…}` is refused when the template is saved.
 *
 * Runtime: main-side Node.
 */
import path from 'node:path';
import { z } from 'zod';
import type { PlatformClient, SyncLog } from './client';
import { PlatformError } from './errors';
import { readFileIfAny, writeFileAtomic } from './files';
import { Companion, CompanionList } from './wire';

export const DEFAULT_COMPANION_TEMPLATE = '{prompt}, {companion.traits}';
const MAX_TEMPLATE_LENGTH = 2000;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = /^(prompt|companion\.name|companion\.traits|companion\.trait\.[A-Za-z0-9_-]+)$/;

/** The template's problems, or an empty list when it can be used. */
export function checkCompanionTemplate(template: string): readonly string[] {
  const problems: string[] = [];
  if (template.length > MAX_TEMPLATE_LENGTH) problems.push(`The template is longer than ${MAX_TEMPLATE_LENGTH} characters.`);
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  if (!names.includes('prompt')) problems.push('The template must contain {prompt}.');
  for (const name of names) if (!KNOWN.test(name)) problems.push(`{${name}} is not a placeholder the template knows.`);
  return problems;
}

/** The prompt with the companion's traits put in by the template; stray separators left by empty parts are tidied. */
export function applyCompanionTemplate(template: string, prompt: string, companion: Companion): string {
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

const Cache = z.object({ fetchedAt: z.number().int(), items: z.array(Companion) });
const TemplateFile = z.object({ template: z.string() });

export interface CompanionListing {
  readonly items: readonly Companion[];
  /** When the list was fetched from the platform; null when it never was. */
  readonly fetchedAt: number | null;
  /** The platform could not be asked (offline, signed out): this is the cached list. */
  readonly offline: boolean;
}

export class Companions {
  private readonly cacheFile: string;
  private readonly templateFile: string;

  constructor(
    private readonly client: PlatformClient,
    dir: string,
    private readonly log: SyncLog = () => undefined,
  ) {
    this.cacheFile = path.join(dir, 'companions.json');
    this.templateFile = path.join(dir, 'companion-template.json');
  }

  /** The platform's list (cached on the way), or the cache when the platform cannot be asked. */
  async list(): Promise<CompanionListing> {
    try {
      const { items } = await this.client.request({ method: 'GET', path: '/v1/companions', signed: true, retryable: true }, CompanionList);
      const fetchedAt = Date.now();
      await writeFileAtomic(this.cacheFile, JSON.stringify({ fetchedAt, items }));
      return { items, fetchedAt, offline: false };
    } catch (error) {
      if (!(error instanceof PlatformError) || (error.code !== 'PLATFORM_UNAVAILABLE' && error.code !== 'UNAUTHENTICATED' && error.code !== 'RATE_LIMITED')) throw error;
      this.log('info', `platform: companions from the cache (${error.code})`);
      const cache = await this.cached();
      return { items: cache?.items ?? [], fetchedAt: cache?.fetchedAt ?? null, offline: true };
    }
  }

  /** A companion from the cache (what the Generate screen offered), without asking the platform. */
  async get(companionId: string): Promise<Companion> {
    const found = (await this.cached())?.items.find((c) => c.id === companionId);
    if (found === undefined) throw new PlatformError('NOT_FOUND', `The companion ${companionId} is not in the companion list; refresh it.`);
    return found;
  }

  async template(): Promise<string> {
    const text = await readFileIfAny(this.templateFile);
    if (text === null) return DEFAULT_COMPANION_TEMPLATE;
    const parsed = TemplateFile.safeParse(safeJson(text));
    if (parsed.success && checkCompanionTemplate(parsed.data.template).length === 0) return parsed.data.template;
    this.log('warn', 'platform: the saved companion template is not usable; the default is used');
    return DEFAULT_COMPANION_TEMPLATE;
  }

  /** Saves the template (null: back to the default) after checking it; returns what is now in use. */
  async setTemplate(template: string | null): Promise<string> {
    const next = template ?? DEFAULT_COMPANION_TEMPLATE;
    const problems = checkCompanionTemplate(next);
    if (problems.length > 0) throw new PlatformError('INVALID_INPUT', problems.join(' '), { details: { problems } });
    await writeFileAtomic(this.templateFile, JSON.stringify({ template: next }));
    return next;
  }

  /** The prompt for a generation with this companion, by the saved template. */
  async promptFor(prompt: string, companionId: string): Promise<string> {
    return applyCompanionTemplate(await this.template(), prompt, await this.get(companionId));
  }

  private async cached(): Promise<z.infer<typeof Cache> | null> {
    const text = await readFileIfAny(this.cacheFile);
    if (text === null) return null;
    const parsed = Cache.safeParse(safeJson(text));
    return parsed.success ? parsed.data : null;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
