/**
 * Random access to a file's bytes without loading the whole file: container readers jump from chunk header to
 * chunk header and read only the (bounded) chunks they parse. Reads through a file handle are served from one
 * cached block, because chunk headers are small and close together.
 */
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `offset`; fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Buffer<ArrayBufferLike>>;
}

export function bufferSource(bytes: Buffer<ArrayBufferLike>): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

const BLOCK = 64 * 1024;

export function fileSource(handle: FileHandle, size: number): ByteSource {
  let blockStart = -1;
  let block: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  const readAt = async (offset: number, length: number): Promise<Buffer<ArrayBufferLike>> => {
    const out = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
    if (out.length === 0) return out;
    const { bytesRead } = await handle.read(out, 0, out.length, offset);
    return out.subarray(0, bytesRead);
  };
  return {
    size,
    read: async (offset, length) => {
      if (length > BLOCK) return readAt(offset, length);
      if (blockStart < 0 || offset < blockStart || offset + length > blockStart + block.length) {
        blockStart = offset;
        block = await readAt(offset, BLOCK);
      }
      const start = offset - blockStart;
      return block.subarray(start, Math.min(block.length, start + length));
    },
  };
}
