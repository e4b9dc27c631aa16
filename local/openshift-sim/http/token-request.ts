import { isJsonObject } from '#shared/json.ts';
import {
  bytesField,
  readKubernetesProtobuf,
  readProtobufFields,
  stringField,
  stringFields,
  varintField,
} from './protobuf.ts';
import { assertMediaType, JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, parseJsonBody } from './request-body.ts';
import { ApiRequestError } from './status.ts';

/** The object a token is bound to (TokenRequestSpec.boundObjectRef). */
export interface BoundObjectReference {
  readonly kind?: string;
  readonly apiVersion?: string;
  readonly name?: string;
  readonly uid?: string;
}

/** The parts of a TokenRequest's spec the simulator reads. */
export interface TokenRequestSpec {
  readonly audiences: readonly string[];
  readonly expirationSeconds?: number;
  readonly boundObjectRef?: BoundObjectReference;
}

/**
 * Reads a TokenRequest body: JSON, or the protobuf kubectl 1.32+ sends (`k8s\0` magic, a runtime.Unknown
 * envelope around an authentication.k8s.io/v1 TokenRequest whose spec is field 2, with audiences (1),
 * boundObjectRef (3: kind 1, apiVersion 2, name 3, uid 4) and expirationSeconds (4)).
 */
export function readTokenRequestSpec(contentType: string | undefined, body: Buffer): TokenRequestSpec {
  const mediaType = assertMediaType(contentType, [JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE]);
  return mediaType === PROTOBUF_CONTENT_TYPE ? readProtobufSpec(body) : readJsonSpec(parseJsonBody(body));
}

function readProtobufSpec(body: Buffer): TokenRequestSpec {
  const { kind, raw } = readKubernetesProtobuf(body);
  assertKind(kind);
  const spec = readProtobufFields(bytesField(readProtobufFields(raw), 2) ?? Buffer.alloc(0));
  const expirationSeconds = varintField(spec, 4);
  const ref = bytesField(spec, 3);
  const refFields = ref === undefined ? undefined : readProtobufFields(ref);
  return {
    audiences: stringFields(spec, 1),
    ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
    ...(refFields === undefined
      ? {}
      : {
          boundObjectRef: withoutUndefined({
            kind: stringField(refFields, 1),
            apiVersion: stringField(refFields, 2),
            name: stringField(refFields, 3),
            uid: stringField(refFields, 4),
          }),
        }),
  };
}

function readJsonSpec(body: unknown): TokenRequestSpec {
  if (!isJsonObject(body)) {
    throw badRequest('the body must be a TokenRequest object');
  }
  assertKind(typeof body.kind === 'string' ? body.kind : undefined);
  const spec = body.spec ?? {};
  if (!isJsonObject(spec)) {
    throw badRequest('spec must be an object');
  }
  const { audiences = [], expirationSeconds, boundObjectRef } = spec;
  if (!Array.isArray(audiences) || !audiences.every((audience) => typeof audience === 'string')) {
    throw badRequest('spec.audiences must be a list of strings');
  }
  if (
    expirationSeconds !== undefined &&
    expirationSeconds !== null &&
    typeof expirationSeconds !== 'number'
  ) {
    throw badRequest('spec.expirationSeconds must be a number');
  }
  if (boundObjectRef !== undefined && boundObjectRef !== null && !isStringRecord(boundObjectRef)) {
    throw badRequest('spec.boundObjectRef must be an object of strings');
  }
  return {
    audiences,
    ...(typeof expirationSeconds === 'number' ? { expirationSeconds } : {}),
    ...(isStringRecord(boundObjectRef) ? { boundObjectRef: boundObjectRef as BoundObjectReference } : {}),
  };
}

function assertKind(kind: string | undefined): void {
  if (kind !== undefined && kind !== '' && kind !== 'TokenRequest') {
    throw badRequest(`expected a TokenRequest, got a ${kind}`);
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

function withoutUndefined(ref: Record<string, string | undefined>): BoundObjectReference {
  return Object.fromEntries(Object.entries(ref).filter(([, value]) => value !== undefined));
}

function badRequest(message: string): ApiRequestError {
  return new ApiRequestError('ERR_SIM_BAD_REQUEST', `cannot read the TokenRequest: ${message}`);
}
