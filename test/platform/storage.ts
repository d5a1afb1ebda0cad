/**
 * Object storage: an S3-compatible server (s3rver in tests and `platform:dev`) reached with the AWS SDK.
 * Clients get presigned URLs for the exact object, part and method, or temporary credentials for one object.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';

/** Where the platform keeps objects; also what tests use to look at the bucket themselves. */
export interface S3Target {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/**
 * An S3 client for the target. Path-style addressing because s3rver serves one host; checksums only where
 * S3 requires them, since s3rver predates the SDK's default CRC32 checksums and aws-chunked bodies.
 */
export function createS3Client(target: S3Target): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface RunningS3 {
  readonly target: S3Target;
  readonly directory: string;
  stop(): Promise<void>;
}

/** Starts s3rver on a free port over a fresh temporary directory (or `directory` to keep objects). */
export async function startS3({ bucket = 'studio-platform', directory }: { readonly bucket?: string; readonly directory?: string } = {}): Promise<RunningS3> {
  const root = directory ?? (await mkdtemp(join(tmpdir(), 'studio-s3-')));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: root, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  return {
    // s3rver's default account; it accepts any signature from it, so these are not secrets.
    target: { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    directory: root,
    async stop() {
      await server.close();
      if (directory === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}

export class ObjectStore {
  private readonly client: S3Client;

  constructor(
    readonly target: S3Target,
    private readonly presignTtlSeconds: number,
  ) {
    this.client = createS3Client(target);
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.target.bucket }));
    } catch {
      await this.client.send(new CreateBucketCommand({ Bucket: this.target.bucket }));
    }
  }

  /**
   * Temporary credentials for a client's own S3 upload. On S3 they would come from STS (AssumeRole with a
   * session policy that allows PutObject and the multipart calls on one key only, for the presign TTL).
   * s3rver checks that the access key id exists but not V4 signatures, so the reference server hands out its
   * account's key id with a session secret and token minted per upload: the client treats them as secrets all
   * the same (they never reach a log), and the server checks the stored object's size when the upload completes.
   */
  scopedCredentials(): { readonly endpoint: string; readonly region: string; readonly bucket: string; readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string } {
    return {
      endpoint: this.target.endpoint,
      region: this.target.region,
      bucket: this.target.bucket,
      accessKeyId: this.target.accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64url'),
      sessionToken: randomBytes(48).toString('base64url'),
    };
  }

  presignPut(key: string, contentType: string): Promise<string> {
    return getSignedUrl(this.client, new PutObjectCommand({ Bucket: this.target.bucket, Key: key, ContentType: contentType }), {
      expiresIn: this.presignTtlSeconds,
    });
  }

  presignGet(key: string, ttlSeconds = this.presignTtlSeconds): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.target.bucket, Key: key }), { expiresIn: ttlSeconds });
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.target.bucket, Key: key, ContentType: contentType }));
    if (UploadId === undefined) throw new Error(`S3 returned no upload id for ${key}`);
    return UploadId;
  }

  presignPart(key: string, uploadId: string, partNumber: number): Promise<string> {
    return getSignedUrl(this.client, new UploadPartCommand({ Bucket: this.target.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }), {
      expiresIn: this.presignTtlSeconds,
    });
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly { readonly partNumber: number; readonly etag: string }[]): Promise<void> {
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.target.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
      }),
    );
  }

  /**
   * Discards the parts of a multipart upload. s3rver does not implement AbortMultipartUpload (it answers
   * MethodNotAllowed); there the parts stay on disk, as they would on S3 until the bucket's lifecycle rule
   * for incomplete multipart uploads removes them. Any other failure is real and is thrown.
   */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.target.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (!(error instanceof Error && (error.name === 'MethodNotAllowed' || error.name === 'NotImplemented'))) throw error;
    }
  }

  /** The stored object's size and ETag, or undefined when there is none. */
  async head(key: string): Promise<{ readonly size: number; readonly etag: string } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
    } catch (error) {
      if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: key }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
