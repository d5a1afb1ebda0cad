/**
 * A small, bounded EXIF (TIFF) reader for the text fields image generators write: `UserComment` (where
 * AUTOMATIC1111 and others put the same `parameters` text in JPEG and WebP), `ImageDescription`, `XPComment`.
 * Every offset is checked against the block, whose size the caller has already bounded.
 */
const TAG_IMAGE_DESCRIPTION = 0x010e;
const TAG_EXIF_IFD = 0x8769;
const TAG_USER_COMMENT = 0x9286;
const TAG_XP_COMMENT = 0x9c9c;
const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const MAX_ENTRIES = 512;

export interface ExifTexts {
  userComment?: string;
  imageDescription?: string;
  xpComment?: string;
}

function trimNuls(text: string): string {
  return text.replace(/\0+$/u, '');
}

/** UTF-16 of mostly ASCII text has its zero bytes on one side; that side gives the byte order. */
function decodeUtf16(bytes: Buffer, fallbackLittleEndian: boolean): string {
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const littleEndian = evenZeros === oddZeros ? fallbackLittleEndian : oddZeros > evenZeros;
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  if (littleEndian) return even.toString('utf16le');
  const swapped = Buffer.from(even);
  swapped.swap16();
  return swapped.toString('utf16le');
}

function decodeUserComment(value: Buffer, littleEndian: boolean): string {
  const charset = value.subarray(0, 8).toString('latin1');
  const body = value.subarray(8);
  if (charset.startsWith('UNICODE')) return trimNuls(decodeUtf16(body, littleEndian));
  if (charset.startsWith('ASCII')) return trimNuls(body.toString('latin1'));
  return trimNuls(body.toString('utf8'));
}

/** Reads the text fields of a TIFF block (the bytes after JPEG's `Exif\0\0`, or a WebP EXIF chunk). */
export function readExifTexts(tiff: Buffer): ExifTexts {
  const out: ExifTexts = {};
  if (tiff.length < 8) return out;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return out;
  const le = order === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return out;

  const visited = new Set<number>();
  const readIfd = (ifdOffset: number): void => {
    if (visited.has(ifdOffset) || ifdOffset + 2 > tiff.length) return;
    visited.add(ifdOffset);
    const count = u16(ifdOffset);
    if (count > MAX_ENTRIES || ifdOffset + 2 + count * 12 > tiff.length) return;
    for (let i = 0; i < count; i++) {
      const entry = ifdOffset + 2 + i * 12;
      const tag = u16(entry);
      const size = (TYPE_SIZES[u16(entry + 2)] ?? 0) * u32(entry + 4);
      const valueAt = size <= 4 ? entry + 8 : u32(entry + 8);
      if (size === 0 || valueAt + size > tiff.length) continue;
      const value = tiff.subarray(valueAt, valueAt + size);
      if (tag === TAG_EXIF_IFD) readIfd(u32(entry + 8));
      else if (tag === TAG_USER_COMMENT) out.userComment = decodeUserComment(value, le);
      else if (tag === TAG_IMAGE_DESCRIPTION) out.imageDescription = trimNuls(value.toString('utf8'));
      else if (tag === TAG_XP_COMMENT) out.xpComment = trimNuls(value.toString('utf16le'));
    }
  };
  readIfd(u32(4));
  return out;
}
