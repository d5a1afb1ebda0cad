/**
 * The user's settings behind a small interface: a JSON file here (CLI, web host, tests); electron-store backs
 * it in the Electron app. Runtime: main-side Node.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../../db/index';
import { DEFAULT_SETTINGS, Settings } from '../contract';

export interface SettingsStore {
  /** The saved settings, or the defaults when there are none yet. */
  load(): Promise<Settings>;
  save(settings: Settings): Promise<void>;
}

export type SettingsLog = (level: 'warn', message: string) => void;

/**
 * Settings in one JSON file, written atomically (temporary name, fsync, rename): a crash leaves the old file or
 * the new one, never half of each. A file that does not parse is moved aside (never deleted) and the defaults
 * are used, so a bad edit by hand cannot stop the studio from starting.
 */
export class JsonSettingsFile implements SettingsStore {
  constructor(
    readonly file: string,
    private readonly log: SettingsLog = () => undefined,
  ) {}

  async load(): Promise<Settings> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return DEFAULT_SETTINGS;
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = Settings.safeParse(json);
    if (parsed.success) return parsed.data;
    const aside = `${this.file}.invalid-${Date.now()}`;
    await fs.rename(this.file, aside);
    this.log('warn', `The settings file was not valid; it was moved to ${aside} and the defaults are used.`);
    return DEFAULT_SETTINGS;
  }

  async save(settings: Settings): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(Settings.parse(settings), null, 2)}\n`);
  }
}
