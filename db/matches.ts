/**
 * Which images a search matches. Prompts, negative prompts and tags are indexed per image in `images_fts`;
 * album names per album in `albums_fts` (migration 008), so that adding 10,000 images to an album, or renaming
 * it, rewrites no image's search row. A phrase matches an image when it matches the image's row or the name of
 * an album the image is in, which is what one row holding the album names used to say.
 *
 * Most searches name no album: each phrase is looked up in `albums_fts` (one row per album) and, when none
 * names an album with members, the search is the one FTS5 query it always was. Otherwise it is a compound
 * SELECT: each phrase that names albums is its image matches UNION those albums' members, the other phrases
 * stay one FTS5 query, the operands are INTERSECTed, and each excluded phrase that names albums is taken away
 * (EXCEPT) both ways.
 */
import { sql, type RawBuilder } from 'kysely';
import type { LibraryDb } from './connection';
import { ftsQueryOf, phraseExpression, phrasesOf, wantedPhrases, type SearchPhrase } from './search';

/** Ids in order, optionally only those past `edge` in that order, and at most `limit` of them. */
export interface MatchWalk {
  readonly order: 'asc' | 'desc';
  readonly edge?: number;
  readonly limit?: number;
}

export interface SearchMatches {
  /** A SELECT of the matching image ids, as `id`: all of them (no order), or the walk's. */
  ids(walk?: MatchWalk): RawBuilder<{ id: number }>;
}

interface AlbumPhrase {
  readonly phrase: SearchPhrase;
  /** The albums with members whose name the phrase matches. */
  readonly albums: readonly number[];
}

const beyond = (column: string, walk: MatchWalk | undefined) =>
  walk?.edge === undefined ? sql`` : sql` AND ${sql.raw(column)} ${sql.raw(walk.order === 'desc' ? '<' : '>')} ${walk.edge}`;

const walkTail = (column: string, walk: MatchWalk | undefined) =>
  walk === undefined ? sql`` : sql` ORDER BY ${sql.raw(column)} ${sql.raw(walk.order)}${walk.limit === undefined ? sql`` : sql` LIMIT ${walk.limit}`}`;

const imageArm = (fts: string, walk: MatchWalk | undefined) =>
  sql<{ id: number }>`SELECT rowid AS id FROM images_fts WHERE images_fts MATCH ${fts}${beyond('rowid', walk)}`;

const memberArm = (albums: readonly number[], walk: MatchWalk | undefined) =>
  sql<{ id: number }>`SELECT image_id AS id FROM album_images WHERE album_id IN (${sql.join(albums)})${beyond('image_id', walk)}`;

async function withAlbums(db: LibraryDb, phrases: readonly SearchPhrase[]): Promise<AlbumPhrase[]> {
  const result: AlbumPhrase[] = [];
  for (const phrase of phrases) {
    const albums = await sql<{ id: number }>`
      SELECT rowid AS id FROM albums_fts WHERE albums_fts MATCH ${phraseExpression(phrase)}
        AND EXISTS (SELECT 1 FROM album_images WHERE album_id = albums_fts.rowid)`.execute(db);
    result.push({ phrase, albums: albums.rows.map((r) => r.id) });
  }
  return result;
}

function compile(phrases: readonly AlbumPhrase[]): SearchMatches | undefined {
  const plain = phrases.filter((p) => p.albums.length === 0);
  const named = phrases.filter((p) => p.albums.length > 0);
  const plainWanted = plain.some((p) => !p.phrase.negated);
  const plainQuery = ftsQueryOf(plain.map((p) => p.phrase));
  if (named.length === 0) {
    if (plainQuery === undefined) return undefined;
    return { ids: (walk) => sql<{ id: number }>`${imageArm(plainQuery, walk)}${walkTail('rowid', walk)}` };
  }
  const namedWanted = named.filter((p) => !p.phrase.negated);
  if (!plainWanted && namedWanted.length === 0) return undefined;
  // Excluded phrases that name no album fold into the plain query when there is one to fold into.
  const excluded = [...named.filter((p) => p.phrase.negated), ...(plainWanted ? [] : plain)];
  return {
    ids: (walk) => {
      const operands = [
        ...(plainQuery === undefined || !plainWanted ? [] : [imageArm(plainQuery, walk)]),
        ...namedWanted.map(
          (p) => sql`SELECT id FROM (${imageArm(phraseExpression(p.phrase), walk)} UNION ${memberArm(p.albums, walk)})`,
        ),
      ];
      const exceptions = excluded.flatMap((p) => [
        sql` EXCEPT ${imageArm(phraseExpression(p.phrase), walk)}`,
        ...(p.albums.length === 0 ? [] : [sql` EXCEPT ${memberArm(p.albums, walk)}`]),
      ]);
      const except = exceptions.reduce((all, e) => sql`${all}${e}`, sql``);
      return sql<{ id: number }>`${sql.join(operands, sql` INTERSECT `)}${except}${walkTail('id', walk)}`;
    },
  };
}

/** The images a search box input matches, or undefined when the input holds nothing to search for. */
export async function searchMatches(db: LibraryDb, text: string): Promise<SearchMatches | undefined> {
  return compile(await withAlbums(db, phrasesOf(text)));
}

/** Each wanted phrase of a search as a search of its own, in the order of `scoredPhrases`. */
export async function phraseMatches(db: LibraryDb, text: string): Promise<readonly SearchMatches[]> {
  const phrases = await withAlbums(db, wantedPhrases(text));
  return phrases.flatMap((p) => compile([p]) ?? []);
}
