/**
 * PNG: walks the chunk list (IHDR for the size, tEXt/zTXt/iTXt for metadata) by reading headers only, so image
 * data is never loaded. Compressed text is inflated with a hard output cap.
 */
import { inflateSync } from 'node:zlib';
import { TextBudget, checkChunkSize, checkDimensions, type ContainerInfo } from './container';
import { LIMITS, RejectedFile } from './limits';
import type { ByteSource } from './source';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(0, 8).equals(SIGNATURE);
}

function inflateBounded(data: Buffer, keyword: string): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: LIMITS.maxInflatedBytes });
  } catch (error) {
    if (error instanceof RangeError || (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE')) {
      throw new RejectedFile('COMPRESSION_BOMB', `The compressed text chunk "${keyword}" inflates past ${LIMITS.maxInflatedBytes} bytes.`);
    }
    throw new RejectedFile('MALFORMED', `The compressed text chunk "${keyword}" is not valid zlib data.`);
  }
}

/** Splits at the first NUL; `undefined` when there is none. */
function splitNul(data: Buffer, from = 0): [Buffer, Buffer] | undefined {
  const nul = data.indexOf(0, from);
  return nul < 0 ? undefined : [data.subarray(from, nul), data.subarray(nul + 1)];
}

function readTextChunk(type: string, data: Buffer, budget: TextBudget): void {
  const parts = splitNul(data);
  if (parts === undefined) return;
  const [keywordBytes, rest] = parts;
  const keyword = keywordBytes.toString('latin1');
  if (type === 'tEXt') {
    budget.add(keyword, rest.toString('latin1'));
  } else if (type === 'zTXt') {
    if (rest.length < 1 || rest[0] !== 0) return;
    budget.add(keyword, inflateBounded(rest.subarray(1), keyword).toString('latin1'));
  } else {
    // iTXt: compression flag, method, language tag\0, translated keyword\0, UTF-8 text.
    if (rest.length < 2) return;
    const compressed = rest[0] === 1;
    const language = splitNul(rest, 2);
    if (language === undefined) return;
    const translated = splitNul(language[1]);
    if (translated === undefined) return;
    const text = compressed ? inflateBounded(translated[1], keyword) : translated[1];
    budget.add(keyword, text.toString('utf8'));
  }
}

export async function readPng(source: ByteSource): Promise<ContainerInfo> {
  const budget = new TextBudget();
  let offset = 8;
  let width = 0;
  let height = 0;
  for (let chunks = 0; ; chunks++) {
    if (chunks > LIMITS.maxChunks) throw new RejectedFile('MALFORMED', `The PNG has more than ${LIMITS.maxChunks} chunks.`);
    const header = await source.read(offset, 8);
    if (header.length < 8) throw new RejectedFile('TRUNCATED', 'The PNG ends before its IEND chunk.');
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (length > 0x7fffffff) throw new RejectedFile('MALFORMED', `The PNG chunk ${type} claims ${length} bytes.`);
    const dataStart = offset + 8;
    const next = dataStart + length + 4;
    if (next > source.size) throw new RejectedFile('TRUNCATED', `The PNG ends inside its ${type} chunk.`);
    if (chunks === 0 && type !== 'IHDR') throw new RejectedFile('MALFORMED', 'The PNG does not start with IHDR.');
    if (type === 'IHDR') {
      if (length < 13) throw new RejectedFile('MALFORMED', 'The PNG IHDR chunk is too short.');
      const ihdr = await source.read(dataStart, 8);
      width = ihdr.readUInt32BE(0);
      height = ihdr.readUInt32BE(4);
      checkDimensions(width, height);
    } else if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      checkChunkSize(`PNG ${type} chunk`, length);
      readTextChunk(type, await source.read(dataStart, length), budget);
    } else if (type === 'IEND') {
      return { format: 'png', width, height, texts: budget.texts };
    }
    offset = next;
  }
}
