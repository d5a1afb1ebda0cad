/**
 * Companions: the platform's characters, fetched when online and cached in the sync folder so the Generate
 * screen's picker works offline; and the companion prompt template, which the user sees and may edit.
 *
 * The template's rules are the contract's (electron/contract/companion-template.ts), shared with the Generate
 * screen; here it is kept in the sync folder and checked before it is saved.
 *
 * Runtime: main-side Node.
 */
import path from 'node:path';
import { z } from 'zod';
import { applyCompanionTemplate, companionTemplateProblems, DEFAULT_COMPANION_TEMPLATE, MAX_COMPANION_TEMPLATE_LENGTH } from '../contract';
import type { PlatformClient, SyncLog } from './client';
import { PlatformError } from './errors';
import { readFileIfAny, writeFileAtomic } from './files';
import { Companion, CompanionList } from './wire';

/** The template's problems as sentences, or an empty list when it can be used. */
export function checkCompanionTemplate(template: string): readonly string[] {
  const { tooLong, missingPrompt, unknown } = companionTemplateProblems(template);
  return [
    ...(tooLong ? [`The template is longer than ${MAX_COMPANION_TEMPLATE_LENGTH} characters.`] : []),
    ...(missingPrompt ? ['The template must contain {prompt}.'] : []),
    ...unknown.map((name) => `${name} is not a placeholder the template knows.`),
  ];
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
