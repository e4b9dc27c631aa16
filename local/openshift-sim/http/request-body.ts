import type { IncomingMessage } from 'node:http';
import { ApiRequestError } from './status.ts';

/** Largest body read: kube-apiserver's own limit for a request (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The JSON content type, and the protobuf one kubectl 1.32+ sends typed creates with. */
export const JSON_CONTENT_TYPE = 'application/json';
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Reads a request body, refusing one larger than {@link MAX_BODY_BYTES} (ERR_SIM_TOO_LARGE). */
export async function readRequestBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiRequestError(
        'ERR_SIM_TOO_LARGE',
        `the request body is larger than ${MAX_BODY_BYTES} bytes`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The media type of a Content-Type header, lowercased and without parameters (`; charset=utf-8`). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Parses a JSON body. The error never quotes the body: V8's messages show a snippet of the input, and
 * a body may hold a private key.
 */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiRequestError('ERR_SIM_BAD_REQUEST', 'the request body is not valid JSON');
  }
}

/** Refuses a body whose media type the route cannot read (ERR_SIM_UNSUPPORTED_MEDIA_TYPE). */
export function assertMediaType(contentType: string | undefined, accepted: readonly string[]): string {
  const mediaType = mediaTypeOf(contentType) || JSON_CONTENT_TYPE;
  if (!accepted.includes(mediaType)) {
    throw new ApiRequestError(
      'ERR_SIM_UNSUPPORTED_MEDIA_TYPE',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
  return mediaType;
}
