import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHTML } from 'entities';

const START_OF_TEXT = '<|startoftext|>';
const END_OF_TEXT = '<|endoftext|>';
const END_OF_WORD = '</w>';

/** CLIP's text encoders have 77 positions. */
const DEFAULT_MAX_LENGTH = 77;
/**
 * transformers saves a tokenizer whose maximum it does not know with model_max_length int(1e30) (or
 * 1e20); no CLIP text encoder takes anywhere near this many tokens, so a larger value means "unknown".
 */
const LARGEST_PLAUSIBLE_MAX_LENGTH = 65_536;
/** Distinct words kept; prompts reuse few, and the cache must not grow without bound in a long-lived engine. */
const WORD_CACHE_LIMIT = 50_000;

/**
 * The original's `\s` (the `regex` module's) is Unicode White_Space and its `str.strip()` also strips
 * U+001C–U+001F; JavaScript's `\s` is neither (it takes U+FEFF and leaves U+0085).
 */
const WHITESPACE_RUN = /\p{White_Space}+/gu;
const STRIPPABLE_EDGES = /^[\p{White_Space}\x1c-\x1f]+|[\p{White_Space}\x1c-\x1f]+$/gu;
/** simple_tokenizer.py's pattern, compiled case-insensitively as there (so `'S` and `'ſ` match `'s`). */
const PRE_TOKEN =
  /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\p{White_Space}\p{L}\p{N}]+/giu;

/** A file of a tokenizer folder is missing or malformed; `file` is its path. */
export class TokenizerFilesError extends Error {
  readonly file: string;

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${problem}`, options);
    this.name = 'TokenizerFilesError';
    this.file = file;
  }
}

/** BPE produced a token, or the configuration names a special token, that the vocabulary lacks. */
export class UnknownTokenError extends Error {
  readonly token: string;

  constructor(token: string, role: string) {
    super(`the vocabulary has no ${role} ${JSON.stringify(token)}`);
    this.name = 'UnknownTokenError';
    this.token = token;
  }
}

export interface ClipTokenizerData {
  /** vocab.json: token → id. */
  readonly vocab: Readonly<Record<string, number>>;
  /** merges.txt without its `#version` line, highest priority first. */
  readonly merges: readonly (readonly [string, string])[];
  /** Length of every encoded prompt, start and end tokens included. */
  readonly maxLength: number;
  readonly padToken: string;
  readonly bosToken: string;
  readonly eosToken: string;
}

export interface EncodedPrompt {
  /** Start token, prompt tokens, end token; truncated and then padded to `maxLength`. */
  readonly ids: readonly number[];
  /** Tokens including start and end, before truncation. */
  readonly tokenCount: number;
  /** Prompt tokens that truncation dropped. */
  readonly truncated: number;
  readonly maxLength: number;
}

/** GPT-2's reversible map from bytes to printable characters, so that BPE never sees whitespace or controls. */
function byteCharacters(): string[] {
  const characters: string[] = [];
  let unprintable = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || byte >= 0xae;
    characters.push(String.fromCharCode(printable ? byte : 256 + unprintable++));
  }
  return characters;
}

function pythonStrip(text: string): string {
  return text.replace(STRIPPABLE_EDGES, '');
}

function cleanPrompt(text: string): string {
  const unescaped = decodeHTML(decodeHTML(text.normalize('NFC')));
  return pythonStrip(pythonStrip(unescaped).replace(WHITESPACE_RUN, ' ')).toLowerCase();
}

/**
 * CLIP's byte-level BPE tokenizer, the one OpenAI published with CLIP (simple_tokenizer.py) and that
 * Stable Diffusion's text encoders were trained with: same text in, same ids out, with one stand-in.
 * The original first runs `ftfy.fix_text`, whose main effect on valid text is NFC normalisation, so NFC
 * stands in for it here. What ftfy does beyond that is not reproduced: it repairs mojibake, deletes
 * control characters and U+FEFF, reads C1 controls as Windows-1252, straightens curly quotes (’ → '),
 * splits Latin ligatures (ﬁ → fi) and narrows full-width forms (Ａ → A). Lone surrogates become U+FFFD
 * here as there.
 *
 * BPE runs on dense symbol numbers rather than strings: every symbol BPE can produce (the 512 byte
 * characters, with and without the end-of-word mark, and every merge result) gets one, and a pair of
 * symbols becomes one numeric map key.
 */
export class ClipTokenizer {
  readonly maxLength: number;
  private readonly bosId: number;
  private readonly eosId: number;
  private readonly padId: number;
  private readonly symbolNames: string[] = [];
  /** Vocabulary id of each symbol; -1 for a merge result that the vocabulary lacks. */
  private readonly symbolIds: number[] = [];
  private readonly byteSymbols: number[];
  private readonly lastByteSymbols: number[];
  /** first × symbol count + second → rank (the line of merges.txt, from 0). */
  private readonly mergeRanks = new Map<number, number>();
  /** Symbol that each rank's merge produces. */
  private readonly mergeResults: number[] = [];
  private readonly wordCache = new Map<string, readonly number[]>();
  private readonly encoder = new TextEncoder();

  constructor(data: Readonly<ClipTokenizerData>) {
    if (!Number.isSafeInteger(data.maxLength) || data.maxLength < 2) {
      throw new RangeError(`maxLength ${data.maxLength}: expected an integer of at least 2 (start and end tokens)`);
    }
    this.maxLength = data.maxLength;
    const vocab = new Map(Object.entries(data.vocab));
    const idOf = (token: string, role: string): number => {
      const id = vocab.get(token);
      if (id === undefined) throw new UnknownTokenError(token, role);
      return id;
    };
    this.bosId = idOf(data.bosToken, 'start token');
    this.eosId = idOf(data.eosToken, 'end token');
    this.padId = idOf(data.padToken, 'padding token');
    for (const special of [START_OF_TEXT, END_OF_TEXT]) {
      const id = vocab.get(special);
      if (id !== undefined) this.wordCache.set(special, [id]);
    }

    const symbolNumbers = new Map<string, number>();
    const symbol = (name: string): number => {
      let number = symbolNumbers.get(name);
      if (number === undefined) {
        number = this.symbolNames.length;
        symbolNumbers.set(name, number);
        this.symbolNames.push(name);
        this.symbolIds.push(vocab.get(name) ?? -1);
      }
      return number;
    };
    const characters = byteCharacters();
    this.byteSymbols = characters.map((character) => symbol(character));
    this.lastByteSymbols = characters.map((character) => symbol(character + END_OF_WORD));
    const pairs = data.merges.map(([first, second]) => {
      this.mergeResults.push(symbol(first + second));
      return [symbol(first), symbol(second)] as const;
    });
    const symbolCount = this.symbolNames.length;
    // A pair listed twice keeps its last rank, as Python's dict(zip(merges, range(...))) does.
    pairs.forEach(([first, second], rank) => this.mergeRanks.set(first * symbolCount + second, rank));
  }

  /** Token ids of the prompt alone: no start, end or padding tokens, no truncation. */
  tokenize(text: string): readonly number[] {
    const ids: number[] = [];
    for (const [word] of cleanPrompt(text).matchAll(PRE_TOKEN)) {
      for (const id of this.encodeWord(word)) ids.push(id);
    }
    return ids;
  }

  /** The text encoder's input: start token, prompt tokens, end token, cut and padded to `maxLength`. */
  encode(text: string): EncodedPrompt {
    const tokens = this.tokenize(text);
    const room = this.maxLength - 2;
    const kept = tokens.length > room ? tokens.slice(0, room) : tokens;
    const ids = [this.bosId, ...kept, this.eosId];
    while (ids.length < this.maxLength) ids.push(this.padId);
    return {
      ids,
      tokenCount: tokens.length + 2,
      truncated: tokens.length - kept.length,
      maxLength: this.maxLength,
    };
  }

  private encodeWord(word: string): readonly number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const ids = this.bpe(this.encoder.encode(word)).map((symbol) => {
      const id = this.symbolIds[symbol];
      if (id < 0) throw new UnknownTokenError(this.symbolNames[symbol], 'BPE token');
      return id;
    });
    if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
    this.wordCache.set(word, ids);
    return ids;
  }

  /** Merges the lowest-ranked adjacent pair everywhere in the word, left to right, until none applies. */
  private bpe(bytes: Uint8Array): number[] {
    let word = Array.from(bytes, (byte, index) =>
      index === bytes.length - 1 ? this.lastByteSymbols[byte] : this.byteSymbols[byte],
    );
    const symbolCount = this.symbolNames.length;
    while (word.length > 1) {
      let bestRank = Number.POSITIVE_INFINITY;
      let first = -1;
      let second = -1;
      for (let i = 0; i + 1 < word.length; i++) {
        const rank = this.mergeRanks.get(word[i] * symbolCount + word[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          first = word[i];
          second = word[i + 1];
        }
      }
      if (first < 0) break;
      const result = this.mergeResults[bestRank];
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === first && i + 1 < word.length && word[i + 1] === second) {
          merged.push(result);
          i++;
        } else {
          merged.push(word[i]);
        }
      }
      word = merged;
    }
    return word;
  }
}

/** The file's text, or null when it does not exist. */
async function readTextIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw new TokenizerFilesError(file, 'unreadable', { cause: error });
  }
}

async function readText(file: string): Promise<string> {
  const text = await readTextIfPresent(file);
  if (text === null) throw new TokenizerFilesError(file, 'missing');
  return text;
}

function parseJsonObject(file: string, text: string): Readonly<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TokenizerFilesError(file, 'not valid JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TokenizerFilesError(file, 'expected a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function parseVocab(file: string, json: Readonly<Record<string, unknown>>): Readonly<Record<string, number>> {
  const entries = Object.entries(json);
  if (entries.length === 0) throw new TokenizerFilesError(file, 'no tokens');
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new TokenizerFilesError(file, `token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, expected a non-negative integer`);
    }
  }
  return json as Readonly<Record<string, number>>;
}

function parseMerges(file: string, text: string): [string, string][] {
  const lines = text.split(/\r?\n/);
  // The header is optional here: transformers drops the first line unseen, which would lose a merge.
  const start = lines[0].startsWith('#version') ? 1 : 0;
  const merges: [string, string][] = [];
  for (let index = start; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    if (parts.length !== 2) {
      throw new TokenizerFilesError(file, `line ${index + 1}: expected two symbols separated by a space, got ${JSON.stringify(lines[index])}`);
    }
    merges.push([parts[0], parts[1]]);
  }
  if (merges.length === 0) throw new TokenizerFilesError(file, 'no merges');
  return merges;
}

interface ConfigFile {
  readonly file: string;
  readonly json: Readonly<Record<string, unknown>>;
}

/**
 * A special token as transformers writes it, a string or an AddedToken object `{ content, ... }`, from
 * the first file that names it; it must be in the vocabulary.
 */
function specialToken(
  sources: readonly ConfigFile[],
  key: string,
  fallback: string,
  vocab: Readonly<Record<string, number>>,
  vocabFile: string,
): string {
  for (const { file, json } of sources) {
    const value = json[key];
    if (value === undefined || value === null) continue;
    const token = typeof value === 'object' && 'content' in value ? value.content : value;
    if (typeof token !== 'string') {
      throw new TokenizerFilesError(file, `${key} must be a string or an object with a string "content"`);
    }
    if (!Object.hasOwn(vocab, token)) throw new TokenizerFilesError(file, `${key} ${JSON.stringify(token)} is not in ${vocabFile}`);
    return token;
  }
  if (!Object.hasOwn(vocab, fallback)) throw new TokenizerFilesError(vocabFile, `no ${key} given and no ${JSON.stringify(fallback)} entry`);
  return fallback;
}

function maxLengthOf({ file, json }: ConfigFile): number {
  const value = json.model_max_length;
  if (value === undefined || value === null) return DEFAULT_MAX_LENGTH;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2) {
    throw new TokenizerFilesError(file, `model_max_length ${JSON.stringify(value)}: expected an integer of at least 2`);
  }
  return value > LARGEST_PLAUSIBLE_MAX_LENGTH ? DEFAULT_MAX_LENGTH : value;
}

/**
 * Loads the tokenizer of a model folder's `tokenizer/` (or SDXL's `tokenizer_2/`) folder: vocab.json,
 * merges.txt and tokenizer_config.json, plus special_tokens_map.json when present. Special tokens
 * follow transformers: special_tokens_map.json overrides tokenizer_config.json, which overrides CLIP's
 * defaults; this is how SD 2.x and SDXL's second tokenizer pad with "!" while SD 1.x pads with the end token.
 */
export async function loadTokenizer(folder: string): Promise<ClipTokenizer> {
  const vocabFile = join(folder, 'vocab.json');
  const mergesFile = join(folder, 'merges.txt');
  const configFile = join(folder, 'tokenizer_config.json');
  const specialTokensFile = join(folder, 'special_tokens_map.json');
  const [vocabText, mergesText, configText, specialTokensText] = await Promise.all([
    readText(vocabFile),
    readText(mergesFile),
    readText(configFile),
    readTextIfPresent(specialTokensFile),
  ]);
  const vocab = parseVocab(vocabFile, parseJsonObject(vocabFile, vocabText));
  const merges = parseMerges(mergesFile, mergesText);
  const config: ConfigFile = { file: configFile, json: parseJsonObject(configFile, configText) };
  const sources: ConfigFile[] = [config];
  if (specialTokensText !== null) {
    sources.unshift({ file: specialTokensFile, json: parseJsonObject(specialTokensFile, specialTokensText) });
  }
  return new ClipTokenizer({
    vocab,
    merges,
    maxLength: maxLengthOf(config),
    bosToken: specialToken(sources, 'bos_token', START_OF_TEXT, vocab, vocabFile),
    eosToken: specialToken(sources, 'eos_token', END_OF_TEXT, vocab, vocabFile),
    padToken: specialToken(sources, 'pad_token', END_OF_TEXT, vocab, vocabFile),
  });
}
