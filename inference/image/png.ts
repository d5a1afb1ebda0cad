/**
 * PNG encoding with sharp, then the text chunks other tools read inserted after IHDR (sharp writes no
 * PNG text chunks of its own). Runtime: engine process.
 */
import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';

export interface TextChunk {
  readonly keyword: string;
  readonly text: string;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7e) return false;
  return true;
}

/**
 * tEXt for ASCII text (what AUTOMATIC1111 writes through Pillow, and what every reader reads), iTXt
 * (UTF-8, compressed when long) for anything else. tEXt is Latin-1 by the PNG spec, but several readers
 * (libvips among them) decode it as UTF-8, so "café" in tEXt would reach them garbled; iTXt is unambiguous.
 */
export function textChunk({ keyword, text }: TextChunk, forceInternational = false): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword) || keyword.startsWith(' ') || keyword.endsWith(' ')) {
    throw new Error(`invalid PNG text keyword ${JSON.stringify(keyword)}`);
  }
  if (!forceInternational && isAscii(text)) {
    return chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
  }
  const utf8 = Buffer.from(text, 'utf8');
  const compress = utf8.length > 1024;
  const body = compress ? deflateSync(utf8) : utf8;
  // keyword \0, compression flag, method 0, empty language tag \0, empty translated keyword \0, text
  return chunk('iTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, compress ? 1 : 0, 0, 0, 0]), body]));
}

/** Inserts chunks right after IHDR, so that readers that stop early still find them. */
export function insertChunks(png: Buffer, chunks: readonly Buffer[]): Buffer {
  if (!png.subarray(0, 8).equals(SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

/** RGB pixels (3 bytes each, row-major) to a PNG carrying the given text chunks. */
export async function encodePng(rgb: Uint8Array, width: number, height: number, texts: readonly TextChunk[], international: readonly string[] = []): Promise<Buffer> {
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6, adaptiveFiltering: false }).toBuffer();
  return insertChunks(png, texts.map((t) => textChunk(t, international.includes(t.keyword))));
}
