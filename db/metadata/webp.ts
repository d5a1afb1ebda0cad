/**
 * WebP: walks the RIFF chunks — VP8X / VP8 / VP8L for the size, EXIF for the text fields, which bounds its size
 * before reading it.
 */
import { TextBudget, checkChunkSize, checkDimensions, type ContainerInfo } from './container';
import { addExifTexts } from './jpeg';
import { LIMITS, RejectedFile } from './limits';
import type { ByteSource } from './source';

export function isWebp(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP';
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

export async function readWebp(source: ByteSource): Promise<ContainerInfo> {
  const budget = new TextBudget();
  const riff = await source.read(4, 4);
  const riffEnd = Math.min(source.size, 8 + riff.readUInt32LE(0));
  if (8 + riff.readUInt32LE(0) > source.size) throw new RejectedFile('TRUNCATED', 'The WebP is shorter than its RIFF header says.');
  let offset = 12;
  let width = 0;
  let height = 0;
  for (let chunks = 0; offset + 8 <= riffEnd; chunks++) {
    if (chunks > LIMITS.maxChunks) throw new RejectedFile('MALFORMED', `The WebP has more than ${LIMITS.maxChunks} chunks.`);
    const header = await source.read(offset, 8);
    const type = header.toString('latin1', 0, 4);
    const length = header.readUInt32LE(4);
    const dataStart = offset + 8;
    if (dataStart + length > riffEnd) throw new RejectedFile('TRUNCATED', `The WebP ends inside its ${type} chunk.`);
    if (type === 'VP8X' && length >= 10) {
      const data = await source.read(dataStart, 10);
      width = data.readUIntLE(4, 3) + 1;
      height = data.readUIntLE(7, 3) + 1;
    } else if (type === 'VP8 ' && length >= 10 && width === 0) {
      const data = await source.read(dataStart, 10);
      width = data.readUInt16LE(6) & 0x3fff;
      height = data.readUInt16LE(8) & 0x3fff;
    } else if (type === 'VP8L' && length >= 5 && width === 0) {
      const data = await source.read(dataStart, 5);
      const bits = data.readUInt32LE(1);
      width = (bits & 0x3fff) + 1;
      height = ((bits >>> 14) & 0x3fff) + 1;
    } else if (type === 'EXIF') {
      checkChunkSize('WebP EXIF chunk', length);
      const data = await source.read(dataStart, length);
      addExifTexts(data.subarray(0, 6).equals(EXIF_HEADER) ? data.subarray(6) : data, budget);
    }
    offset = dataStart + length + (length % 2);
  }
  if (width === 0) throw new RejectedFile('MALFORMED', 'The WebP has no image chunk.');
  checkDimensions(width, height);
  return { format: 'webp', width, height, texts: budget.texts };
}
