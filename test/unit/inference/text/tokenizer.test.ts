import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer, loadTokenizer, TokenizerFilesError, UnknownTokenError } from '../../../../inference/text';

/** OpenAI's CLIP vocabulary and merges, shared between checkouts rather than copied into the repository. */
const clipData = fileURLToPath(new URL('../shared/data/clip/', new URL('../../../../', import.meta.url)));
const vocab = JSON.parse(readFileSync(join(clipData, 'vocab.json'), 'utf8')) as Record<string, number>;
const sampleVectors = JSON.parse(readFileSync(join(clipData, 'sample_vectors.json'), 'utf8')) as {
  text: string;
  ids: number[];
}[];

const BOS = 49406;
const EOS = 49407;
const EXCLAMATION = 0;

/** Ids of vocabulary entries, written as the entries themselves so that an expectation reads as BPE output. */
function ids(...tokens: string[]): number[] {
  return tokens.map((token) => {
    const id = vocab[token];
    if (id === undefined) throw new Error(`test expectation names ${JSON.stringify(token)}, which vocab.json lacks`);
    return id;
  });
}

let root: string;

/** A tokenizer folder like a model's `tokenizer/`: CLIP's vocab and merges plus the given config files. */
async function tokenizerFolder(name: string, files: Readonly<Record<string, string>>): Promise<string> {
  const folder = join(root, name);
  await mkdir(folder);
  await copyFile(join(clipData, 'vocab.json'), join(folder, 'vocab.json'));
  await copyFile(join(clipData, 'merges.txt'), join(folder, 'merges.txt'));
  for (const [file, text] of Object.entries(files)) await writeFile(join(folder, file), text);
  return folder;
}

/** tokenizer_config.json as SD 1.x ships it (trimmed to the fields read). */
const sd1Config = JSON.stringify({
  model_max_length: 77,
  bos_token: { __type: 'AddedToken', content: '<|startoftext|>', lstrip: false, rstrip: false },
  eos_token: { __type: 'AddedToken', content: '<|endoftext|>', lstrip: false, rstrip: false },
  pad_token: '<|endoftext|>',
});

let tokenizer: ClipTokenizer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'studio-tokenizer-'));
  tokenizer = await loadTokenizer(await tokenizerFolder('sd1', { 'tokenizer_config.json': sd1Config }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ClipTokenizer against the original CLIP tokenizer', () => {
  it.each(sampleVectors)('encodes $text', ({ text, ids: expected }) => {
    const encoded = tokenizer.encode(text);
    expect(encoded.ids.slice(0, expected.length)).toEqual(expected);
    expect(encoded.tokenCount).toBe(expected.length);
    expect(tokenizer.tokenize(text)).toEqual(expected.slice(1, -1));
  });
});

describe('ClipTokenizer, cases derived from the algorithm', () => {
  it.each([
    // Single vocabulary entries: the whole word is one merge result with its end-of-word mark.
    ['lighthouse', ['lighthouse</w>']],
    ['photograph of an astronaut riding a horse', ['photograph</w>', 'of</w>', 'an</w>', 'astronaut</w>', 'riding</w>', 'a</w>', 'horse</w>']],
    // A word that is not one entry splits where the merges stop.
    ['café au lait', ['cafÃ©</w>', 'au</w>', 'la', 'it</w>']],
    ['naïve', ['na', 'Ã¯', 've</w>']],
    // Numbers go digit by digit; each digit is a word of its own.
    ['12345', ['1</w>', '2</w>', '3</w>', '4</w>', '5</w>']],
    ['year 2024, 3.14', ['year</w>', '2</w>', '0</w>', '2</w>', '4</w>', ',</w>', '3</w>', '.</w>', '1</w>', '4</w>']],
    ['½ ²', ['Â½</w>', 'Â²</w>']],
    // Contractions split off, whatever the case; a quote elsewhere is punctuation.
    ["dog's it's they're we've I'm you'll he'd", ['dog</w>', "'s</w>", 'it</w>', "'s</w>", 'they</w>', "'re</w>", 'we</w>', "'ve</w>", 'i</w>', "'m</w>", 'you</w>', "'ll</w>", 'he</w>', "'d</w>"]],
    ["DOG'S", ['dog</w>', "'s</w>"]],
    ["rock 'n' roll", ['rock</w>', "'</w>", 'n</w>', "'</w>", 'roll</w>']],
    // The pattern is case-insensitive, so the long s (which case-folds to s) forms a contraction too.
    ["'ſ", ["'", 'Å', '¿</w>']],
    // Runs of punctuation stay together up to a letter, digit or space.
    ['wow!!! ... ?!', ['wow</w>', '!!!</w>', '...</w>', '?!</w>']],
    ['(masterpiece:1.2), [bad]', ['(</w>', 'masterpiece</w>', ':</w>', '1</w>', '.</w>', '2</w>', '),</w>', '[</w>', 'bad</w>', ']</w>']],
    ['http://example.com/a?b=c', ['http</w>', '://</w>', 'example</w>', '.</w>', 'com</w>', '/</w>', 'a</w>', '?</w>', 'b</w>', '=</w>', 'c</w>']],
    // Emoji are UTF-8 bytes through the byte-to-character map; a joiner sequence splits into its parts.
    ['😀 smiling 🐈‍⬛ cat', ['ðŁĺĢ</w>', 'smiling</w>', 'ðŁĲ', 'Ī', 'âĢį', 'â¬', 'Ľ</w>', 'cat</w>']],
    ['💩💩💩', ['ðŁĴ©', 'ðŁĴ©', 'ðŁĴ©</w>']],
    // CJK ideographs are letters: one word, split by byte-level merges.
    ['東京の夜景', ['æĿ±', 'äº', '¬', 'ãģ®', 'å¤', 'ľ', 'æĻ', '¯</w>']],
    ['猫', ['ç', 'Į', '«</w>']],
    // A combining mark that NFC cannot compose is not a letter, so it splits the word.
    ['ab\u0301c', ['ab</w>', 'Ì', 'ģ</w>', 'c</w>']],
    // Lowercasing follows Unicode: final sigma, and İ to i plus a combining dot.
    ['ΣΟΦΙΑ', ['Ï', 'ĥ', 'Î', '¿', 'Ï', 'Ĩ', 'Î', '¹', 'Î', '±</w>']],
    ['İstanbul', ['i</w>', 'Ìĩ</w>', 'stanbul</w>']],
    // Unicode spaces separate words like ASCII ones.
    ['\u00a0nbsp\u3000ideographic space', ['nb', 'sp</w>', 'ide', 'o', 'graphic</w>', 'space</w>']],
    // HTML entities are decoded, twice, also without their semicolon where HTML allows it.
    ['Tom &amp; Jerry', ['tom</w>', '&</w>', 'jerry</w>']],
    ['&amp;lt;3', ['<</w>', '3</w>']],
    ['fish &amp chips', ['fish</w>', '&</w>', 'chips</w>']],
    // Whitespace of any kind and length separates words and disappears.
    ['multiple    spaces\tand\nnewlines', ['multiple</w>', 'spaces</w>', 'and</w>', 'new', 'lines</w>']],
    ['  leading and trailing  ', ['leading</w>', 'and</w>', 'trailing</w>']],
    // The special tokens written in a prompt are matched whole and kept as they are.
    ['<|startoftext|>hello<|endoftext|>', ['<|startoftext|>', 'hello</w>', '<|endoftext|>']],
    // ftfy would straighten the quote (see tokenizer.ts); NFC does not, so ’ stays a symbol.
    ['it’s curly', ['it</w>', 'âĢ', 'Ļ</w>', 's</w>', 'curly</w>']],
    ['', []],
  ])('%j', (text, tokens) => {
    expect(tokenizer.tokenize(text)).toEqual(ids(...tokens));
  });

  it.each([
    ['Crème Brûlée', 'crème brûlée'],
    ['e\u0301cole', 'école'],
    ['\u2126 ohm', 'ω ohm'],
    ['a   b\n\n c', 'a b c'],
    ['&lt;tag&gt;', '<tag>'],
    ['&#128512; and &#x1F600;', '😀 and 😀'],
  ])('reads %j as %j', (text, same) => {
    expect(tokenizer.tokenize(text)).toEqual(tokenizer.tokenize(same));
  });

  it('gives the same ids for a word the second time, from its cache', () => {
    expect(tokenizer.tokenize('hello world hello world')).toEqual(ids('hello</w>', 'world</w>', 'hello</w>', 'world</w>'));
  });
});

describe('ClipTokenizer.encode', () => {
  it('pads with the end token for SD 1.x', () => {
    const encoded = tokenizer.encode('a cat');
    expect(encoded).toEqual({
      ids: [BOS, ...ids('a</w>', 'cat</w>'), EOS, ...Array<number>(73).fill(EOS)],
      tokenCount: 4,
      truncated: 0,
      maxLength: 77,
    });
  });

  it('fits exactly 75 prompt tokens without truncating', () => {
    const encoded = tokenizer.encode('a '.repeat(75));
    expect(encoded.ids).toEqual([BOS, ...Array<number>(75).fill(ids('a</w>')[0]), EOS]);
    expect(encoded.tokenCount).toBe(77);
    expect(encoded.truncated).toBe(0);
  });

  it('truncates to 77 ids, keeps the end token last and counts what it dropped', () => {
    const encoded = tokenizer.encode(`${'a '.repeat(99)}cat`);
    expect(encoded.ids).toHaveLength(77);
    expect(encoded.ids).toEqual([BOS, ...Array<number>(75).fill(ids('a</w>')[0]), EOS]);
    expect(encoded.tokenCount).toBe(102);
    expect(encoded.truncated).toBe(25);
  });

  it('pads with "!" for SD 2.x, whose special_tokens_map.json overrides tokenizer_config.json', async () => {
    const sd2 = await loadTokenizer(
      await tokenizerFolder('sd2', {
        'tokenizer_config.json': sd1Config,
        'special_tokens_map.json': JSON.stringify({
          bos_token: { content: '<|startoftext|>' },
          eos_token: { content: '<|endoftext|>' },
          pad_token: { content: '!', lstrip: false, normalized: true, rstrip: false, single_word: false },
        }),
      }),
    );
    expect(sd2.encode('a cat').ids).toEqual([BOS, ...ids('a</w>', 'cat</w>'), EOS, ...Array<number>(73).fill(EXCLAMATION)]);
  });

  it('takes model_max_length from tokenizer_config.json', async () => {
    const short = await loadTokenizer(
      await tokenizerFolder('short', { 'tokenizer_config.json': JSON.stringify({ model_max_length: 8, pad_token: '!' }) }),
    );
    expect(short.encode('a photo of a cat and a dog')).toEqual({
      ids: [BOS, ...ids('a</w>', 'photo</w>', 'of</w>', 'a</w>', 'cat</w>', 'and</w>'), EOS],
      tokenCount: 10,
      truncated: 2,
      maxLength: 8,
    });
    expect(short.encode('a').ids).toEqual([BOS, ...ids('a</w>'), EOS, 0, 0, 0, 0, 0]);
  });

  it('falls back to 77 when model_max_length is transformers\' "unknown" placeholder, int(1e30)', async () => {
    const placeholder = await loadTokenizer(
      await tokenizerFolder('placeholder', {
        'tokenizer_config.json': '{"model_max_length": 1000000000000000019884624838656, "pad_token": "!"}',
      }),
    );
    expect(placeholder.maxLength).toBe(77);
    expect(placeholder.encode('a').ids).toHaveLength(77);
  });
});

describe('loadTokenizer errors name the file', () => {
  async function expectFileError(folder: string, file: string, message: RegExp): Promise<void> {
    const error: unknown = await loadTokenizer(folder).then(
      () => null,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(TokenizerFilesError);
    expect((error as TokenizerFilesError).file).toBe(join(folder, file));
    expect((error as TokenizerFilesError).message).toContain(join(folder, file));
    expect((error as TokenizerFilesError).message).toMatch(message);
  }

  it('when tokenizer_config.json is missing', async () => {
    await expectFileError(await tokenizerFolder('no-config', {}), 'tokenizer_config.json', /missing/);
  });

  it.each(['vocab.json', 'merges.txt'])('when %s is missing', async (file) => {
    const folder = await tokenizerFolder(`no-${file}`, { 'tokenizer_config.json': sd1Config });
    await rm(join(folder, file));
    await expectFileError(folder, file, /missing/);
  });

  it.each([
    ['vocab.json', '{"a": 1,', /not valid JSON/],
    ['vocab.json', '["a"]', /expected a JSON object/],
    ['vocab.json', '{"<|startoftext|>": 0, "a": "1"}', /token "a" has id "1"/],
    ['vocab.json', '{"<|startoftext|>": 0, "a": -1}', /token "a" has id -1/],
    ['merges.txt', '#version: 0.2\ni n\nt h e\n', /line 3: expected two symbols/],
    ['merges.txt', '#version: 0.2\n', /no merges/],
    ['tokenizer_config.json', '{"pad_token": 5}', /pad_token must be a string/],
    ['tokenizer_config.json', '{"pad_token": "<pad>"}', /pad_token "<pad>" is not in/],
    ['tokenizer_config.json', '{"model_max_length": 1}', /model_max_length 1/],
    ['tokenizer_config.json', '{"model_max_length": "77"}', /model_max_length "77"/],
    ['special_tokens_map.json', '{"pad_token": {"content": 0}}', /pad_token must be a string/],
    ['special_tokens_map.json', 'pad_token: "!"', /not valid JSON/],
  ])('when %s holds %j', async (file, text, message) => {
    const folder = await tokenizerFolder(`bad-${file}-${Math.random().toString(36).slice(2)}`, {
      'tokenizer_config.json': sd1Config,
    });
    await writeFile(join(folder, file), text);
    await expectFileError(folder, file, message);
  });
});

describe('ClipTokenizer with a vocabulary that lacks a token', () => {
  const special = { '<|startoftext|>': 0, '<|endoftext|>': 1 };
  const data = {
    merges: [
      ['a', 'b'],
      ['ab', 'c</w>'],
    ] as const,
    maxLength: 77,
    bosToken: '<|startoftext|>',
    eosToken: '<|endoftext|>',
    padToken: '<|endoftext|>',
  };

  it('accepts a merge result missing from the vocabulary when later merges consume it', () => {
    const small = new ClipTokenizer({ ...data, vocab: { ...special, 'abc</w>': 2 } });
    expect(small.tokenize('abc')).toEqual([2]);
  });

  it('throws UnknownTokenError naming the token that BPE left over', () => {
    const small = new ClipTokenizer({ ...data, vocab: { ...special, 'abc</w>': 2, 'b</w>': 3 } });
    expect(() => small.tokenize('abb')).toThrow(UnknownTokenError);
    expect(() => small.tokenize('abb')).toThrow('"ab"');
  });

  it('throws UnknownTokenError for a special token missing from the vocabulary', () => {
    expect(() => new ClipTokenizer({ ...data, vocab: special, padToken: '!' })).toThrow(UnknownTokenError);
  });

  it('rejects a maxLength without room for the start and end tokens', () => {
    expect(() => new ClipTokenizer({ ...data, vocab: special, maxLength: 1 })).toThrow('maxLength 1');
  });
});
