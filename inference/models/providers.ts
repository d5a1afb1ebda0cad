/**
 * Execution providers: which ones this platform prefers, and which this build of onnxruntime-node has.
 * Runtime: engine process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Provider } from '../protocol';

/** GPU first, CPU last: CUDA on Linux, DirectML on Windows, CoreML on macOS. */
export function preferredProviders(platform: NodeJS.Platform): readonly Provider[] {
  switch (platform) {
    case 'win32':
      return ['dml', 'cpu'];
    case 'darwin':
      return ['coreml', 'cpu'];
    default:
      return ['cuda', 'cpu'];
  }
}

export interface ProviderAvailability {
  readonly name: Provider;
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * What this install can offer. onnxruntime-node bundles CPU everywhere, DirectML on Windows and CoreML on
 * macOS; the CUDA provider's libraries are downloaded by its install script only on request (see README).
 */
export function providerAvailability(platform: NodeJS.Platform, arch: string): readonly ProviderAvailability[] {
  const backends = new Map(ort.listSupportedBackends().map((b) => [b.name as string, b.bundled]));
  return preferredProviders(platform).map((name): ProviderAvailability => {
    if (name === 'cpu') return { name, available: true };
    if (!backends.has(name)) return { name, available: false, reason: `not built into onnxruntime-node for ${platform}-${arch}` };
    if (name === 'cuda' && !cudaLibraryPresent(platform, arch)) {
      return { name, available: false, reason: 'the CUDA provider libraries are not installed (see README, "NVIDIA GPUs")' };
    }
    return { name, available: true };
  });
}

function cudaLibraryPresent(platform: NodeJS.Platform, arch: string): boolean {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  const file = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(root, 'bin', 'napi-v6', platform, arch, file));
}
