/**
 * A sync worker in its own process, for the crash test: signs in, publishes what the library's outbox holds,
 * prints each progress report as a JSON line on stdout (log lines on stderr), and exits once every row is final.
 * argv: <library dir> <platform URL> <secret file>; the password comes in STUDIO_TEST_PASSWORD.
 */
import { openLibrary } from '../../../db/index';
import { FileSecretStore, PlatformSync } from '../../../electron/sync/index';
import { settled } from './harness';

const [libraryDir = '', url = '', secretFile = ''] = process.argv.slice(2);
const { library } = await openLibrary(libraryDir);
const sync = new PlatformSync({
  library,
  baseUrl: url,
  secrets: new FileSecretStore(secretFile),
  client: { retryBaseMs: 5, retryCapMs: 50 },
  publisher: { concurrency: 3, leaseMs: 1500, backoffBaseMs: 10, backoffCapMs: 100 },
  log: (level, message) => process.stderr.write(`${level} ${message}\n`),
  onProgress: (progress) => process.stdout.write(`${JSON.stringify(progress)}\n`),
});
await sync.signIn('alice@example.com', process.env['STUDIO_TEST_PASSWORD'] ?? '');
sync.start();
await settled(library, 60_000);
await sync.close();
await library.close();
