/**
 * Putting a file's bytes into the platform's bucket: the platform reserves the object and hands out temporary
 * credentials for exactly its key (`transfer: credentials`); a file up to the part size goes in one PutObject
 * streamed from disk, a larger one through `@aws-sdk/lib-storage`'s multipart upload (a few parts in flight),
 * both reporting progress; then the platform checks the stored object and completes the upload.
 *
 * Memory stays flat whatever the file size: a single PUT streams, and lib-storage holds at most `queueSize`
 * parts of `partSize` bytes.
 * Each upload's credentials are its own, so each gets its own S3 client, but all of them share one pool of
 * kept-alive connections (a fresh pool per file would open a connection per file), and every setting the SDK
 * would otherwise look up in the environment and in ~/.aws is given: a user's AWS profile does not change how
 * Studio talks to the platform, and a client costs no file reads to make.
 * The credentials are secrets like the tokens: they are never logged.
 *
 * Runtime: main-side Node.
 */
import { createReadStream } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Transform } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload as S3Upload } from '@aws-sdk/lib-storage';
import type { PlatformClient } from './client';
import { PlatformError } from './errors';
import { CompletedUpload, Upload } from './wire';

/** S3's smallest part (lib-storage refuses less); the platform's part size is used when it is larger. */
const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface FileToUpload {
  readonly file: string;
  readonly purpose: 'original' | 'thumbnail';
  readonly contentType: 'image/png' | 'image/jpeg' | 'image/webp';
  readonly size: number;
}

export interface UploadOptions {
  readonly onProgress?: (sent: number, total: number) => void;
  readonly signal?: AbortSignal;
  /** Parts in flight for a multipart upload; 4 unless given. */
  readonly queueSize?: number;
}

/** Sockets to the store at once, across every upload in flight (a multipart upload uses up to `queueSize`). */
const MAX_SOCKETS = 32;

type UploadCredentials = NonNullable<Upload['credentials']>;

export class Uploads {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });

  constructor(private readonly client: PlatformClient) {}

  /** Closes the kept connections; uploads still in flight fail. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Uploads one file; returns the platform's upload id, completed. */
  async upload(input: FileToUpload, options: UploadOptions = {}): Promise<string> {
    const upload = await this.client.request(
      {
        method: 'POST',
        path: '/v1/uploads',
        body: { purpose: input.purpose, contentType: input.contentType, size: input.size, transfer: 'credentials' },
        signed: true,
        // A retried reservation only reserves another key; the first one is never completed and expires.
        retryable: true,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      Upload,
    );
    const credentials = upload.credentials;
    if (upload.method !== 'credentials' || credentials === null || credentials === undefined) {
      throw new PlatformError('PROTOCOL', 'The platform did not hand out upload credentials.', { details: { method: upload.method } });
    }
    // Not destroyed after use: destroying a client destroys its handler's agents, which every upload shares.
    const s3 = this.s3Client(credentials);
    const partSize = Math.max(MIN_PART_SIZE, upload.partSize);
    const params = { Bucket: credentials.bucket, Key: upload.key, ContentType: input.contentType, ContentLength: input.size };
    const controller = new AbortController();
    const abort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (input.size <= partSize) {
        // One PutObject streamed from disk as it is read (lib-storage would read it into memory first to decide
        // between one request and several); progress counts the bytes handed to the socket.
        let sent = 0;
        const counted = createReadStream(input.file).pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, done) {
              sent += chunk.length;
              options.onProgress?.(sent, input.size);
              done(null, chunk);
            },
          }),
        );
        await s3.send(new PutObjectCommand({ ...params, Body: counted }), { abortSignal: controller.signal });
      } else {
        const transfer = new S3Upload({
          client: s3,
          params: { ...params, Body: createReadStream(input.file) },
          partSize,
          queueSize: options.queueSize ?? 4,
          // The store may not implement AbortMultipartUpload (s3rver); the platform discards an upload never completed.
          leavePartsOnError: true,
        });
        controller.signal.addEventListener('abort', () => void transfer.abort(), { once: true });
        transfer.on('httpUploadProgress', (progress) => options.onProgress?.(progress.loaded ?? 0, input.size));
        await transfer.done();
      }
    } catch (error) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new PlatformError('PLATFORM_UNAVAILABLE', `The ${input.purpose} could not be stored.`, {
        details: { reason: error instanceof Error ? error.name : 'unknown' },
        cause: error,
      });
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    const completed = await this.client.request(
      {
        method: 'POST',
        path: `/v1/uploads/${encodeURIComponent(upload.id)}/complete`,
        body: { parts: [] },
        signed: true,
        retryable: true,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      CompletedUpload,
    );
    if (completed.size !== input.size) throw new PlatformError('PROTOCOL', `The platform stored ${completed.size} bytes of ${input.size}.`);
    return upload.id;
  }

  private s3Client(credentials: UploadCredentials): S3Client {
    return new S3Client({
      endpoint: credentials.endpoint,
      region: credentials.region,
      forcePathStyle: true,
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
      // Checksums only where S3 requires them: S3-compatible stores (s3rver, MinIO's older releases) predate the
      // SDK's default CRC32 and aws-chunked bodies.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { httpAgent: this.httpAgent, httpsAgent: this.httpsAgent, connectionTimeout: 10_000, requestTimeout: 60_000 },
      defaultsMode: 'standard',
      retryMode: 'standard',
      maxAttempts: 3,
      useFipsEndpoint: false,
      useDualstackEndpoint: false,
      useArnRegion: false,
      disableS3ExpressSessionAuth: true,
      authSchemePreference: [],
      sigv4aSigningRegionSet: [],
      userAgentAppId: 'studio',
    });
  }
}
