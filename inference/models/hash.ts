/**
 * AUTOMATIC1111's "Model hash" (AutoV2): the first 10 hex digits of a SHA-256. For an ONNX folder it is
 * the UNet graph's file, the part that defines the model. Runtime: engine process.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

const cache = new Map<string, string>();

export async function modelHash(unetFile: string): Promise<string> {
  const info = await stat(unetFile);
  const key = `${unetFile}:${info.size}:${info.mtimeMs}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(unetFile, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  const digest = hash.digest('hex').slice(0, 10);
  cache.set(key, digest);
  return digest;
}
