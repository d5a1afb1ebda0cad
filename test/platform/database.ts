/**
 * The platform's SQLite schema. The reference server keeps its state in one better-sqlite3 database (a file
 * for `platform:dev`, `:memory:` for tests). Money lives in `ledger_entries`, which triggers keep append-only
 * and never negative: a balance is always the sum of a user's entries.
 */
import Database from 'better-sqlite3';

export type PlatformDatabase = Database.Database;

const schema = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  plan TEXT NOT NULL CHECK (plan IN ('free', 'pro', 'studio')),
  created_at TEXT NOT NULL
);

-- A session is one sign-in; its refresh tokens rotate, and revoking it ends its access tokens too.
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  expires_at INTEGER NOT NULL,
  used_at TEXT
);

CREATE TABLE IF NOT EXISTS ledger_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('grant', 'consume', 'refund')),
  amount INTEGER NOT NULL CHECK ((kind = 'consume' AND amount <= 0) OR (kind <> 'consume' AND amount >= 0)),
  consume_key TEXT,
  action TEXT,
  reason TEXT,
  created_at TEXT NOT NULL,
  CHECK ((kind = 'grant') = (consume_key IS NULL))
);
-- One consumption per key and at most one refund of it, whatever the code above does.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_one_per_key ON ledger_entries (user_id, kind, consume_key)
  WHERE consume_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ledger_by_user ON ledger_entries (user_id, id);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger_entries
  BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger_entries
  BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_never_negative BEFORE INSERT ON ledger_entries
  WHEN NEW.amount < 0
    AND (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE user_id = NEW.user_id) + NEW.amount < 0
  BEGIN SELECT RAISE(ABORT, 'balance would become negative'); END;

-- Stored outcomes of idempotent requests, per user and operation. 'processing' marks one in flight.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('processing', 'done')),
  status_code INTEGER,
  response TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, operation, key)
);

CREATE TABLE IF NOT EXISTS companions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS companion_traits (
  companion_id TEXT NOT NULL REFERENCES companions(id),
  position INTEGER NOT NULL,
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (companion_id, position)
);

CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  object_key TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('single', 'multipart')),
  part_size INTEGER NOT NULL,
  s3_upload_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'completed', 'aborted')),
  etag TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  completed_at TEXT
);

CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id),
  consume_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished', 'deleted')),
  title TEXT NOT NULL,
  companion_id TEXT REFERENCES companions(id),
  model TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  generation TEXT NOT NULL,
  moderation TEXT NOT NULL,
  original_upload_id TEXT NOT NULL UNIQUE REFERENCES uploads(id),
  thumbnail_upload_id TEXT NOT NULL UNIQUE REFERENCES uploads(id),
  like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
  -- Increases with every publish: the gallery's keyset order, so pages stay put while others publish.
  publish_seq INTEGER UNIQUE,
  created_at TEXT NOT NULL,
  published_at TEXT,
  UNIQUE (owner_id, consume_key)
);
CREATE INDEX IF NOT EXISTS gallery_newest ON images (status, publish_seq);
CREATE INDEX IF NOT EXISTS gallery_most_liked ON images (status, like_count, publish_seq);

CREATE TABLE IF NOT EXISTS likes (
  image_id TEXT NOT NULL REFERENCES images(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (image_id, user_id)
);
`;

/**
 * Opens the database with its statements kept: the handlers prepare the same few statements on every request,
 * and preparing costs as much as running them. The server only calls get, all and run (never iterate), so a kept
 * statement is never in use twice at once.
 */
export function openPlatformDatabase(filename: string): PlatformDatabase {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(schema);
  const prepare = db.prepare.bind(db);
  const kept = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = kept.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      kept.set(source, statement);
    }
    return statement;
  }) as PlatformDatabase['prepare'];
  return db;
}
