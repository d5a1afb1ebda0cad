/**
 * JPEG: walks the marker segments up to the start of scan — SOFn for the size, APP1 `Exif` for the text fields,
 * COM for a comment. Segments are at most 64 KB by construction, so nothing here can grow without bound.
 */
import { TextBudget, checkDimensions, type ContainerInfo } from './container';
import { readExifTexts } from './exif';
import { LIMITS, RejectedFile } from './limits';
import type { ByteSource } from './source';

export function isJpeg(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

export function addExifTexts(tiff: Buffer, budget: TextBudget): void {
  const exif = readExifTexts(tiff);
  if (exif.userComment !== undefined && exif.userComment !== '') budget.add('UserComment', exif.userComment);
  if (exif.imageDescription !== undefined && exif.imageDescription !== '') budget.add('ImageDescription', exif.imageDescription);
  if (exif.xpComment !== undefined && exif.xpComment !== '') budget.add('XPComment', exif.xpComment);
}

export async function readJpeg(source: ByteSource): Promise<ContainerInfo> {
  const budget = new TextBudget();
  let offset = 2;
  let width = 0;
  let height = 0;
  for (let segments = 0; ; segments++) {
    if (segments > LIMITS.maxChunks) throw new RejectedFile('MALFORMED', `The JPEG has more than ${LIMITS.maxChunks} segments.`);
    const head = await source.read(offset, 4);
    if (head.length < 2) throw new RejectedFile('TRUNCATED', 'The JPEG ends before its image data.');
    if (head[0] !== 0xff) throw new RejectedFile('MALFORMED', `The JPEG has no marker at byte ${offset}.`);
    const marker = head[1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (head.length < 4) throw new RejectedFile('TRUNCATED', 'The JPEG ends inside a segment header.');
    const length = head.readUInt16BE(2);
    if (length < 2) throw new RejectedFile('MALFORMED', 'The JPEG has a segment shorter than its header.');
    const end = offset + 2 + length;
    if (end > source.size) throw new RejectedFile('TRUNCATED', 'The JPEG ends inside a segment.');
    if (marker === 0xda || marker === 0xd9) {
      if (width === 0) throw new RejectedFile('MALFORMED', 'The JPEG has no frame header before its image data.');
      return { format: 'jpeg', width, height, texts: budget.texts };
    }
    if (isStartOfFrame(marker)) {
      const frame = await source.read(offset + 4, 5);
      if (frame.length < 5) throw new RejectedFile('TRUNCATED', 'The JPEG ends inside its frame header.');
      height = frame.readUInt16BE(1);
      width = frame.readUInt16BE(3);
      checkDimensions(width, height);
    } else if (marker === 0xe1 || marker === 0xfe) {
      const data = await source.read(offset + 4, length - 2);
      if (marker === 0xfe) budget.add('Comment', data.toString('utf8'));
      else if (data.subarray(0, 6).equals(EXIF_HEADER)) addExifTexts(data.subarray(6), budget);
    }
    offset = end;
  }
}
