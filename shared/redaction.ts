/**
 * Removes key material and credentials from text that came from outside keyturn (a Status message, a
 * rollback reason, a client's error) before it reaches an error message, a log line, the keyring's
 * history or the audit trail (SEALED). Ordinary text stays readable: kids (43 base64url characters),
 * Kubernetes names, paths, UUIDs and hex digests are kept.
 */
import type { AuditEntry } from './ports.ts';

/** What replaces anything redacted. */
export const REDACTED = '[redacted]';

/**
 * The shortest run of base64 or base64url redacted: one more than a kid (43 characters, base64url of a
 * SHA-256 thumbprint), so every kid stays visible while a key's members (342 characters and more for
 * RSA 2048) and any 44-character stretch of them do not.
 */
export const MIN_REDACTED_RUN = 44;

/** A PEM block, armour included; one cut short (no END line) runs to the end of the text. */
const PEM_BLOCK = /-----BEGIN[^-\n]*-----[\s\S]*?(?:-----END[^-\n]*-----|$)/g;
/** An armour line left without its block (an END line after a cut, a BEGIN line alone). */
const PEM_ARMOUR = /-----(?:BEGIN|END)[^-\n]*-----/g;
/** A private member of a JWK quoted as JSON, its name included (`"d":"..."`, `"oth":[...]`). */
const PRIVATE_JWK_MEMBER = /"(?:d|p|q|dp|dq|qi|oth|k)"\s*:\s*(?:"[^"]*"|\[[^\]]*\])/g;
/** The label of a private key, which the keyring and audit checks (SEALED) refuse wherever it appears. */
const PRIVATE_KEY_LABEL = /PRIVATE KEY/g;
/** An OpenShift OAuth access token (`sha256~` and 43 base64url characters): a bearer credential. */
const OPENSHIFT_TOKEN = /sha256~[A-Za-z0-9_-]*/g;
/** A JWT (compact JWS), whatever its claims: base64url of `{"` begins it. */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** Two or more lines of base64 only: a PEM body or wrapped DER, with or without its armour. */
const WRAPPED_BASE64 = /(?:[A-Za-z0-9+/]{16,}={0,2}[ \t]*\r?\n[ \t]*)+[A-Za-z0-9+/]{4,}={0,2}/g;
/**
 * Runs of base64url and of base64, matched in two passes: in one pass `-` and `_` would cut a base64url
 * run into short pieces (97 characters of a JWK's `d` went through so), and `+` and `/` a base64 one.
 */
const BASE64URL_RUN = new RegExp(`[A-Za-z0-9_-]{${MIN_REDACTED_RUN},}`, 'g');
const BASE64_RUN = new RegExp(`[A-Za-z0-9+/]{${MIN_REDACTED_RUN},}={0,2}`, 'g');

/**
 * Replaces key material (PEM blocks and bodies, private JWK members, long base64 runs of random bytes,
 * the words `PRIVATE KEY`) and bearer tokens in `text` with {@link REDACTED}; everything else is kept.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(PEM_BLOCK, REDACTED)
    .replace(PEM_ARMOUR, REDACTED)
    .replace(PRIVATE_JWK_MEMBER, REDACTED)
    .replace(PRIVATE_KEY_LABEL, REDACTED)
    .replace(OPENSHIFT_TOKEN, REDACTED)
    .replace(JWT, REDACTED)
    .replace(WRAPPED_BASE64, (block) => redactRun(block.replace(/\s+/g, ''), block))
    .replace(BASE64URL_RUN, (run) => redactRun(run, run))
    .replace(BASE64_RUN, (run) => redactRun(run, run));
}

/**
 * True when a run of at least {@link MIN_REDACTED_RUN} characters looks like encoded random bytes: upper-
 * and lowercase letters each at least a fifth of it, and a digit. Base64 of random bytes is about 40 %
 * of each case; names (`openshift-kube-apiserver-operator/next-bound-...`), UUIDs and hex digests have
 * one case only, and CamelCase words fewer capitals.
 */
export function looksLikeEncodedSecret(run: string): boolean {
  if (run.length < MIN_REDACTED_RUN) return false;
  const upper = run.replace(/[^A-Z]/g, '').length;
  const lower = run.replace(/[^a-z]/g, '').length;
  return upper >= run.length / 5 && lower >= run.length / 5 && /[0-9]/.test(run);
}

function redactRun(run: string, original: string): string {
  return looksLikeEncodedSecret(run) ? REDACTED : original;
}

/**
 * An audit entry with {@link redactSecrets} applied to each of its text fields. The audit trail records
 * what a step did after its state was written: key material in a reason is redacted there, never a
 * reason to fail the append (SEALED, RECOVERABLE).
 */
export function redactAuditEntry(entry: AuditEntry): AuditEntry {
  const redacted = Object.entries(entry).map(([name, value]) => [
    name,
    typeof value === 'string' ? redactSecrets(value) : value,
  ]);
  return Object.fromEntries(redacted) as unknown as AuditEntry;
}
