import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { startIssuerServer } from '#local/issuer-server.ts';
import { createS3Publisher } from '#shared/adapters/aws/s3-publisher.ts';
import { createDirectoryPublisher } from '#shared/adapters/local/index.ts';
import { createMemoryPublisher } from '#shared/adapters/memory/index.ts';
import type { Fetch } from '#shared/issuer/index.ts';
import { createFakeCloudFront } from '#test/fakes/aws/fake-cloudfront.ts';
import { createFakeS3 } from '#test/fakes/aws/fake-s3.ts';
import { describeIssuerPublisherContract } from './issuer-publisher.contract.ts';

const ISSUER_BUCKET = 'keyturn-issuers';
const DISTRIBUTION = 'E2KEYTURNTEST';

/** Headers a subject serves keys.json with instead of the origin's, once a test asks it to. */
type Override = { headers?: Readonly<Record<string, string>> };

/** The answer as it reaches a relying party: the origin's, or its body with the overriding headers. */
async function served(response: Response, override: Override): Promise<Response> {
  if (override.headers === undefined || response.status !== 200) return response;
  // Bytes, not a string: a string body would make Response add its own text/plain content type.
  return new Response(new Uint8Array(await response.arrayBuffer()), {
    status: 200,
    headers: override.headers,
  });
}

describeIssuerPublisherContract('memory', () => {
  const publisher = createMemoryPublisher({ clock: { now: () => new Date('2026-03-01T12:00:00.000Z') } });
  return {
    publisher,
    issuerUrl: 'https://oidc.example.com/cluster-a',
    serveWithHeaders: (headers) => publisher.setServedHeaders(headers),
  };
});

describeIssuerPublisherContract('local directory over the issuer server', async () => {
  const root = await mkdtemp(join(tmpdir(), 'keyturn-contract-'));
  const server = await startIssuerServer({ root, host: '127.0.0.1', port: 0 });
  const override: Override = {};
  const fetch: Fetch = async (url, init) => served(await globalThis.fetch(url, init), override);
  return {
    publisher: createDirectoryPublisher({ root, fetch }),
    issuerUrl: `${server.url}/cluster-a`,
    serveWithHeaders: (headers) => {
      override.headers = headers;
    },
    dispose: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describeIssuerPublisherContract('S3 and CloudFront (stateful SDK fakes)', () => {
  const s3 = createFakeS3();
  s3.install();
  s3.createBucket(ISSUER_BUCKET);
  const cloudFront = createFakeCloudFront({ distributions: [DISTRIBUTION] });
  cloudFront.install();
  const override: Override = {};
  // CloudFront with Origin Access Control: the public URL serves what the bucket holds.
  const fetch: Fetch = async (url) => {
    const object = s3.getObject(ISSUER_BUCKET, new URL(url).pathname.slice(1));
    if (object === undefined) {
      return new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 });
    }
    const headers = new Headers({ 'content-type': object.contentType, etag: object.etag });
    if (object.cacheControl !== undefined) headers.set('cache-control', object.cacheControl);
    return served(new Response(new Uint8Array(object.body), { status: 200, headers }), override);
  };
  return {
    publisher: createS3Publisher({
      bucket: ISSUER_BUCKET,
      distributionId: DISTRIBUTION,
      fetch,
      s3: new S3Client({ region: 'eu-west-1', maxAttempts: 1 }),
      cloudFront: new CloudFrontClient({ region: 'us-east-1', maxAttempts: 1 }),
    }),
    issuerUrl: 'https://d111.cloudfront.net/cluster-a',
    serveWithHeaders: (headers) => {
      override.headers = headers;
    },
    dispose: () => {
      s3.restore();
      cloudFront.restore();
    },
  };
});
