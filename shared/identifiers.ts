/**
 * What keyturn's identifiers look like, written once. Issuer ids, rotation ids and key slots name
 * files, S3 keys, Secrets Manager secrets and Step Functions executions, so each is a lowercase name
 * that starts with a letter or digit (no hidden files, no `-option`, nothing to escape). Validate at the
 * boundary (an event, a flag, a config file, a listing) with these; trust the value inside.
 */

/** `^[a-z0-9][<chars>]{0,max-1}$`: a name of 1 to `maxLength` characters starting alphanumeric. */
function lowercaseName(chars: string, maxLength: number): RegExp {
  return new RegExp(`^[a-z0-9][${chars}]{0,${maxLength - 1}}$`);
}

/** The longest issuer id: a DNS label's length, so an id also fits a host name or a path segment. */
export const ISSUER_ID_MAX_LENGTH = 63;

/**
 * Issuer ids (`cluster-a`, `prod.eu`): 1 to 63 lowercase letters, digits, `.` or `-`, starting with a
 * letter or digit. They name the keyring file or object, the issuer's URL path and S3 prefix, its
 * secrets and (with a rotation id) its workflow executions.
 */
export const ISSUER_ID_PATTERN = lowercaseName('a-z0-9.-', ISSUER_ID_MAX_LENGTH);

/**
 * The longest issuer id deployed in AWS: `<issuerId>--<rotationId>` must fit the 80 characters of a
 * Step Functions execution name with a 36-character rotation id (an EventBridge event id).
 */
export const AWS_ISSUER_ID_MAX_LENGTH = 42;

/** Issuer ids in AWS: {@link ISSUER_ID_PATTERN}, at most {@link AWS_ISSUER_ID_MAX_LENGTH} characters. */
export const AWS_ISSUER_ID_PATTERN = lowercaseName('a-z0-9.-', AWS_ISSUER_ID_MAX_LENGTH);

/**
 * Rotation ids (`20260301-120000-3f9a1c`, an event id): 1 to 63 lowercase letters, digits, `.`, `_` or
 * `-`, starting with a letter or digit. They name vault slots, files and workflow executions.
 */
export const ROTATION_ID_PATTERN = lowercaseName('a-z0-9._-', 63);

/**
 * One component of a file or secret name (an issuer id, a vault slot): 1 to 128 lowercase letters,
 * digits, `.`, `_` or `-`, starting with a letter or digit. {@link isSafeName} also refuses `..`.
 */
export const SAFE_NAME_PATTERN = lowercaseName('a-z0-9._-', 128);

/** S3 bucket names: 3 to 63 lowercase letters, digits, `.` or `-`, starting and ending alphanumeric. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** CloudFront distribution ids as CloudFront issues them: `E` and 7 to 20 uppercase letters or digits. */
export const DISTRIBUTION_ID_PATTERN = /^E[A-Z0-9]{7,20}$/;

/** Key ids as keyturn records them: 1 to 128 base64url characters (a kube-apiserver kid has 43). */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** True when `value` is an issuer id ({@link ISSUER_ID_PATTERN}). */
export function isIssuerId(value: string): boolean {
  return ISSUER_ID_PATTERN.test(value);
}

/** True when `value` is a rotation id ({@link ROTATION_ID_PATTERN}). */
export function isRotationId(value: string): boolean {
  return ROTATION_ID_PATTERN.test(value);
}

/**
 * True when `value` can be one component of a file or secret name: {@link SAFE_NAME_PATTERN} and no
 * `..`, so it can neither escape its directory nor collide with keyturn's temporary files.
 */
export function isSafeName(value: string): boolean {
  // Names reach the adapters from JSON and JavaScript callers too: anything but a string is refused.
  return typeof value === 'string' && SAFE_NAME_PATTERN.test(value) && !value.includes('..');
}

/**
 * `cluster-a.json` → `cluster-a`: the issuer a keyring file or object is named after; undefined for any
 * other name (a lock file, a README, an id that is not an issuer id).
 */
export function issuerIdOfKeyringName(name: string): string | undefined {
  const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
  return isIssuerId(id) ? id : undefined;
}
