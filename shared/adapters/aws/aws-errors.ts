import { KeyturnError } from '../../errors.ts';

/** What the adapter was doing when AWS answered with an error, for the message. */
export interface AwsCallContext {
  /** `KMS`, `SecretsManager`, `S3`, `CloudFront`, `STS`. */
  readonly service: string;
  /** The SDK command without `Command`, e.g. `GenerateDataKeyPair`. */
  readonly operation: string;
  /** What it acted on: a key ARN, `s3://bucket/key`, a secret name. Never key material. */
  readonly resource: string;
}

/** The common shape of keyturn's AWS errors: what failed, where, and AWS's own error name and status. */
abstract class AwsCallError<Code extends string> extends KeyturnError<Code> {
  readonly service: string;
  readonly operation: string;
  readonly awsName: string;
  readonly httpStatus: number | undefined;

  constructor(
    code: Code,
    context: AwsCallContext,
    awsName: string,
    httpStatus: number | undefined,
    advice: string,
  ) {
    const status = httpStatus === undefined ? '' : ` ${httpStatus}`;
    super(
      code,
      `${context.service} ${context.operation} on ${context.resource} failed: ${awsName}${status}; ${advice}`,
    );
    this.service = context.service;
    this.operation = context.operation;
    this.awsName = awsName;
    this.httpStatus = httpStatus;
  }
}

/** AWS throttled the call after the SDK's own retries: the workflow retries the step with backoff. */
export class AwsThrottledError extends AwsCallError<'ERR_AWS_THROTTLED'> {}
/** IAM or a resource policy denied the call: fix the permissions (see the IAM inventory). */
export class AwsAccessDeniedError extends AwsCallError<'ERR_AWS_ACCESS_DENIED'> {}
/** The KMS key is disabled, pending deletion or unavailable. */
export class AwsKeyDisabledError extends AwsCallError<'ERR_AWS_KEY_DISABLED'> {}
/** The resource does not exist (a secret, an object, a distribution). */
export class AwsNotFoundError extends AwsCallError<'ERR_AWS_NOT_FOUND'> {}
/**
 * AWS failed on its side (5xx, `ERR_AWS_UNAVAILABLE`) or could not be reached at all (`ERR_AWS_UNREACHABLE`:
 * DNS, a refused or reset connection, a timeout, a proxy); retryable. Both keep this class's name, so the
 * workflow's Retry covers them alike.
 */
export class AwsUnavailableError extends AwsCallError<'ERR_AWS_UNAVAILABLE' | 'ERR_AWS_UNREACHABLE'> {}
/** Any other refusal (validation, limits); not retryable. */
export class AwsRejectedError extends AwsCallError<'ERR_AWS_REJECTED'> {}

/**
 * The SDK could not even send the call: no region or no credentials configured where it runs (a laptop
 * without AWS_PROFILE, an expired SSO session). Never happens inside Lambda.
 */
export class AwsSetupError extends KeyturnError<'ERR_AWS_SETUP'> {}

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'LimitExceededException',
  // CloudFront: too many invalidations in progress on the distribution; retry once some complete.
  'TooManyInvalidationsInProgress',
]);
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'InvalidClientTokenId',
]);
const KEY_DISABLED = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'KeyUnavailableException',
  // Secrets Manager: the secret's KMS key cannot encrypt or decrypt (disabled, pending deletion, gone).
  'EncryptionFailure',
  'DecryptionFailure',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'NotFoundException',
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'NoSuchDistribution',
]);

/**
 * Turns an SDK error into one of keyturn's typed AWS errors. The SDK has already retried throttling and
 * transient failures (`maxAttempts`); nothing here retries. Messages name the call and AWS's error name,
 * never request or response bodies. The SDK's own "no region" and "no credentials" errors become
 * AwsSetupError; any other error that is not from AWS passes through unchanged.
 */
export function toAwsError(error: unknown, context: AwsCallContext): unknown {
  const setup = toAwsSetupError(error, context);
  if (setup !== undefined) return setup;
  const unreachable = toAwsUnreachableError(error, context);
  if (unreachable !== undefined) return unreachable;
  const sdk = error as { name?: unknown; $metadata?: { httpStatusCode?: number }; $fault?: unknown };
  if (typeof sdk?.name !== 'string' || (sdk.$metadata === undefined && sdk.$fault === undefined)) {
    return error;
  }
  const name = sdk.name;
  const status = sdk.$metadata?.httpStatusCode;
  if (THROTTLED.has(name) || status === 429) {
    return new AwsThrottledError('ERR_AWS_THROTTLED', context, name, status, 'retry later');
  }
  if (DENIED.has(name) || status === 403) {
    return new AwsAccessDeniedError(
      'ERR_AWS_ACCESS_DENIED',
      context,
      name,
      status,
      "check the function's IAM policy",
    );
  }
  if (KEY_DISABLED.has(name)) {
    return new AwsKeyDisabledError(
      'ERR_AWS_KEY_DISABLED',
      context,
      name,
      status,
      'enable the KMS key or cancel its deletion',
    );
  }
  if (NOT_FOUND.has(name) || status === 404) {
    return new AwsNotFoundError('ERR_AWS_NOT_FOUND', context, name, status, 'check that it exists');
  }
  if (sdk.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new AwsUnavailableError('ERR_AWS_UNAVAILABLE', context, name, status, 'retry later');
  }
  return new AwsRejectedError('ERR_AWS_REJECTED', context, name, status, 'see the AWS error name');
}

/** The SDK's own errors before any request: no region, no credentials (they carry no `$metadata`). */
function toAwsSetupError(error: unknown, context: AwsCallContext): AwsSetupError | undefined {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  const call = `${context.service} ${context.operation} on ${context.resource}`;
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return new AwsSetupError(
      'ERR_AWS_SETUP',
      `${call}: no usable AWS credentials (${String(message)}); sign in (aws sso login, AWS_PROFILE or AWS_ACCESS_KEY_ID) and retry`,
      { cause: error },
    );
  }
  if (typeof message === 'string' && /^Region is missing/.test(message)) {
    return new AwsSetupError(
      'ERR_AWS_SETUP',
      `${call}: no AWS region is configured; set AWS_REGION, use a profile with a region, or pass --region`,
      { cause: error },
    );
  }
  return undefined;
}

/** Node's and the SDK's names for a call that never got an HTTP answer. */
const NETWORK_ERRORS = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EPROTO',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ERR_PROXY_CONNECTION_FAILED',
  'ERR_TUNNEL_CONNECTION_FAILED',
]);

/**
 * A call that got no HTTP answer (no `$metadata.httpStatusCode`): DNS, a refused or reset connection, a
 * timeout, a proxy. The message names the call, Node's error code and the host it tried; the SDK error's
 * own message is left out, since only the code and the host are known to hold nothing sensitive.
 */
function toAwsUnreachableError(error: unknown, context: AwsCallContext): AwsUnavailableError | undefined {
  const sdk = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    hostname?: unknown;
    address?: unknown;
    port?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (sdk.$metadata?.httpStatusCode !== undefined) return undefined;
  const cause = [sdk.code, sdk.name].find((name) => typeof name === 'string' && NETWORK_ERRORS.has(name));
  if (typeof cause !== 'string') return undefined;
  const host =
    typeof sdk.hostname === 'string'
      ? sdk.hostname
      : typeof sdk.address === 'string'
        ? sdk.address
        : undefined;
  const where =
    host === undefined ? 'the AWS endpoint' : `${host}${typeof sdk.port === 'number' ? `:${sdk.port}` : ''}`;
  return new AwsUnavailableError(
    'ERR_AWS_UNREACHABLE',
    context,
    cause,
    undefined,
    `${where} could not be reached; check the network, the region, and any proxy (HTTPS_PROXY), then retry`,
  );
}

/** Runs one SDK call and maps its error with {@link toAwsError}. */
export async function callAws<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsError(error, context);
  }
}
