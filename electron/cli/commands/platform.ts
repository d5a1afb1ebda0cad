/**
 * `studio login | logout | publish`: the platform from the command line, with the sync module the app uses.
 * The session is kept where web mode keeps it (STUDIO_SECRETS, else platform-session.json in the per-user
 * config folder, 0600); the platform is `--platform <url>`, else STUDIO_PLATFORM_URL, else the local
 * reference platform (`npm run platform:dev`). Runtime: Node (CLI).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LibraryError } from '../../../db/errors';
import { openLibrary, type Library } from '../../../db/library';
import { defaultSecretFile, describeError, FileSecretStore, PlatformError, PlatformSync } from '../../sync/index';
import { UsageError, type CliCommand, type CliIo } from '../command';
import { libraryDir } from './library';

const DEFAULT_PLATFORM = 'http://127.0.0.1:8787';
/** How long `publish` waits for its rows; what is still open then resumes at the next run (or in the app). */
const WAIT_MS = 10 * 60_000;
const COMMON = { platform: { type: 'string' }, library: { type: 'string' } } as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs `fn` with the sync module over the library; platform failures become one sentence (exit 1). */
async function withSync<T>(values: { platform?: string | undefined; library?: string | undefined }, io: CliIo, fn: (sync: PlatformSync, library: Library) => Promise<T>): Promise<T> {
  const { library } = await openLibrary(libraryDir(values.library, io));
  const sync = new PlatformSync({
    library,
    baseUrl: values.platform ?? io.env['STUDIO_PLATFORM_URL'] ?? DEFAULT_PLATFORM,
    secrets: new FileSecretStore(defaultSecretFile(io.env)),
    // Only warnings and errors reach the terminal; neither ever holds a token or a password.
    log: (level, message) => {
      if (level !== 'info') io.stderr.write(`${message}\n`);
    },
  });
  try {
    return await fn(sync, library);
  } catch (error) {
    if (error instanceof PlatformError && error.code === 'INVALID_INPUT') throw new UsageError(error.message);
    if (error instanceof LibraryError && (error.code === 'INVALID_INPUT' || error.code === 'NOT_FOUND')) throw new UsageError(error.message);
    if (error instanceof PlatformError) throw new Error(describeError(error));
    throw error;
  } finally {
    await sync.close();
    await library.close();
  }
}

/** The password: STUDIO_PLATFORM_PASSWORD, else the first line on stdin (`… | studio login --email me@…`). */
async function readPassword(io: CliIo, stdin: NodeJS.ReadableStream): Promise<string> {
  const fromEnv = io.env['STUDIO_PLATFORM_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const password = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (password === '') throw new UsageError('Give the password on stdin or in STUDIO_PLATFORM_PASSWORD.');
  return password;
}

export function loginCommand(stdin: NodeJS.ReadableStream = process.stdin): CliCommand {
  return {
    name: 'login',
    summary: 'sign in to the platform (the session is kept for publish)',
    usage: `Usage: studio login --email <address> [--platform <url>] [--library <dir>]

Reads the password from STUDIO_PLATFORM_PASSWORD or the first line of stdin, signs in, and keeps the session in
STUDIO_SECRETS or the per-user config folder (platform-session.json, readable by you only).`,
    async run(args, io) {
      const { values } = parse(args, { ...COMMON, email: { type: 'string' } });
      if (values.email === undefined) throw new UsageError('--email is required.');
      const email = values.email;
      const password = await readPassword(io, stdin);
      return withSync(values, io, async (sync) => {
        const account = await sync.signIn(email, password);
        io.stdout.write(`Signed in as ${account.displayName ?? email} (${account.plan?.name ?? '?'} plan, ${account.balance ?? 0} tokens).\n`);
        io.stdout.write(`${account.secretStore.detail}\n`);
        return 0;
      });
    },
  };
}

export const logoutCommand: CliCommand = {
  name: 'logout',
  summary: 'sign out of the platform and forget the session',
  usage: 'Usage: studio logout [--platform <url>] [--library <dir>]',
  async run(args, io) {
    const { values } = parse(args, COMMON);
    return withSync(values, io, async (sync) => {
      await sync.signOut();
      io.stdout.write('Signed out.\n');
      return 0;
    });
  },
};

export const publishCommand: CliCommand = {
  name: 'publish',
  summary: 'publish library images to the platform gallery',
  usage: `Usage: studio publish <image id>... [--companion <id>] [--platform <url>] [--library <dir>]

Queues the images in the library's outbox and publishes them (moderation, charge, upload, register, publish),
retrying what fails for up to ten minutes (what is still open then resumes at the next run, or in the app);
prints one line per image. An image already published is left as it is. Exits with 0 when every image is
published, 1 otherwise. Sign in first with \`studio login\`.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { ...COMMON, companion: { type: 'string' } });
    const ids = positionals.map((p) => Number(p));
    if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id < 1)) throw new UsageError('Give the ids of the images to publish (from `studio search`).');
    return withSync(values, io, async (sync, library) => {
      const queued = await sync.publish(ids, values.companion ?? null);
      const rows = new Set(queued.map((q) => q.outboxId).filter((id) => id !== null));
      const open = async () =>
        (await library.db.selectFrom('outbox').select('id').where('id', 'in', [...rows, -1]).where('state', 'not in', ['published', 'refunded', 'failed']).execute()).length;
      sync.start();
      const deadline = Date.now() + WAIT_MS;
      while ((await open()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      let published = 0;
      for (const id of ids) {
        const image = await library.db.selectFrom('images').select(['sync_state', 'remote_id']).where('id', '=', id).executeTakeFirstOrThrow();
        const row = await library.db.selectFrom('outbox').select(['state', 'last_error']).where('image_id', '=', id).orderBy('id', 'desc').executeTakeFirst();
        if (image.sync_state === 'published') published++;
        io.stdout.write(`${id}\t${image.sync_state}\t${image.remote_id ?? '-'}${image.sync_state === 'published' ? '' : `\t${row?.state ?? ''} ${row?.last_error ?? ''}`}\n`);
      }
      return published === ids.length ? 0 : 1;
    });
  },
};
