import { CommanderError } from 'commander';
import type { WorkflowFailedError } from '#local/workflow/local-workflow-runner.ts';
import { isKeyturnError } from '#shared/errors.ts';
import type { KeyturnErrorCode } from './error-codes.ts';

/** The exit codes of every `keyturn` command; docs/cli.md lists them. */
export const ExitCode = {
  /** The command did what was asked (for verify-token: the token is valid). */
  ok: 0,
  /** keyturn checked something and said no: an invalid token, key, key set, document or URL. */
  rejected: 1,
  /** The command line itself was wrong: unknown flag, missing argument. */
  usage: 2,
  /** The environment got in the way: a file missing, unreadable or already there, a server unreachable. */
  environment: 3,
  /** A bug in keyturn: please report it with the output of --debug. */
  internal: 70,
  /** Ctrl-C stopped a command: following work running elsewhere (it goes on), or a local rotation (resume or abort it). */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const { rejected, environment, internal, interrupted } = ExitCode;

/**
 * The exit code of every error code, decided one by one: 1 when keyturn checked something and said no or
 * a rotation failed, 3 when something around keyturn got in the way (files, network, AWS or cluster set-up,
 * a busy port, another rotation holding the issuer), 130 when the user stopped the command, 70 only for
 * the one code that is a bug in keyturn itself. A Record, so a new code does not compile without a line here.
 */
export const EXIT_CODE_OF: Readonly<Record<KeyturnErrorCode, ExitCodeValue>> = {
  // keys, issuer documents, tokens: keyturn checked and said no
  ERR_KEY_FORMAT: rejected,
  ERR_KEY_MULTIPLE: rejected,
  ERR_KEY_CERTIFICATE: rejected,
  ERR_KEY_KIND: rejected,
  ERR_KEY_ALGORITHM: rejected,
  ERR_KEY_STRENGTH: rejected,
  ERR_KEY_DAMAGED: rejected,
  ERR_KEY_MISMATCH: rejected,
  ERR_KEY_PASSPHRASE: rejected,
  ERR_ISSUER_URL: rejected,
  ERR_KEYSET_INVALID: rejected,
  ERR_KEYSET_DUPLICATE_KID: rejected,
  ERR_KEYSET_KID_MISMATCH: rejected,
  ERR_KEYSET_PRIVATE_MEMBERS: rejected,
  ERR_DISCOVERY_INVALID: rejected,
  ERR_DISCOVERY_ISSUER_MISMATCH: rejected,
  ERR_ISSUER_FETCH: environment,
  ERR_ISSUER_HEADERS: rejected,
  ERR_TOKEN_MALFORMED: rejected,
  ERR_TOKEN_ALG_NONE: rejected,
  ERR_TOKEN_ALG_CONFUSION: rejected,
  ERR_TOKEN_ALG_UNSUPPORTED: rejected,
  ERR_TOKEN_KID_MISSING: rejected,
  ERR_TOKEN_KID_UNKNOWN: rejected,
  ERR_TOKEN_SIGNATURE: rejected,
  ERR_TOKEN_ISSUER: rejected,
  ERR_TOKEN_AUDIENCE: rejected,
  ERR_TOKEN_EXPIRED: rejected,
  ERR_TOKEN_NOT_YET_VALID: rejected,
  ERR_TOKEN_CLAIMS: rejected,
  // keyrings and rotations: a refused request or a failed rotation
  ERR_KEYRING_FORMAT: rejected,
  ERR_KEYRING_CONFLICT: environment,
  // a keyring whose MAC fails or is missing: a person checks it, restores it or re-seals it
  ERR_KEYRING_TAMPERED: environment,
  ERR_KEYRING_UNSEALED: environment,
  ERR_ISSUER_EXISTS: rejected,
  ERR_ISSUER_URL_TAKEN: rejected,
  // init created the issuer but could not publish it: keyturn maintain does (a set-up problem to fix)
  ERR_INIT_INCOMPLETE: environment,
  ERR_ISSUER_NOT_FOUND: rejected,
  ERR_INVARIANT: rejected,
  ERR_ROTATION_IN_PROGRESS: environment,
  ERR_ROTATION_NOT_IN_FLIGHT: rejected,
  ERR_ROTATION_REQUEST: rejected,
  ERR_STEP_NOT_READY: rejected,
  ERR_DRIFT: rejected,
  ERR_VERIFICATION_FAILED: rejected,
  ERR_ABORT_FAILED: rejected,
  ERR_CLUSTER_UNSTABLE: rejected,
  ERR_NODES_NOT_REBOOTED: rejected,
  ERR_GRACE_BELOW_TOKEN_LIFETIME: environment,
  // keyturn preflight: a check failed; or nothing to check (no kubeconfig, no issuer)
  ERR_PREFLIGHT_FAILED: rejected,
  ERR_PREFLIGHT_SETUP: environment,
  // the ports
  ERR_UNSAFE_NAME: rejected,
  ERR_VAULT_TAMPERED: rejected,
  ERR_VAULT_NOT_FOUND: environment,
  ERR_VAULT_REF: rejected,
  ERR_VAULT_SLOT_TAKEN: rejected,
  ERR_VAULT_MASTER_KEY: environment,
  ERR_VAULT_MASTER_KEY_MISSING: environment,
  ERR_PUBLISH_CONFLICT: environment,
  ERR_INVALIDATION_TIMEOUT: environment,
  ERR_CLUSTER_UNAUTHORIZED: environment,
  ERR_CLUSTER_FORBIDDEN: environment,
  ERR_CLUSTER_NOT_FOUND: environment,
  ERR_CLUSTER_CONFLICT: environment,
  ERR_CLUSTER_INVALID: rejected,
  ERR_CLUSTER_UNAVAILABLE: environment,
  ERR_CLUSTER_TLS: environment,
  ERR_CLUSTER_REJECTED: rejected,
  ERR_CLUSTER_INVALID_ANSWER: rejected,
  ERR_CLUSTER_CONFIG: environment,
  ERR_CLUSTER_INSECURE_TLS: environment,
  // AWS
  ERR_AWS_THROTTLED: environment,
  ERR_AWS_ACCESS_DENIED: environment,
  ERR_AWS_KEY_DISABLED: environment,
  ERR_AWS_NOT_FOUND: environment,
  ERR_AWS_UNAVAILABLE: environment,
  ERR_AWS_UNREACHABLE: environment,
  ERR_AWS_REJECTED: rejected,
  ERR_AWS_SETUP: environment,
  ERR_EXECUTION_NAME: rejected,
  ERR_STATE_MACHINE_NOT_FOUND: environment,
  ERR_EXECUTION_NOT_FOUND: environment,
  ERR_MAP_RUN_NOT_FOUND: environment,
  ERR_STACK_NOT_FOUND: environment,
  ERR_STACK_NOT_READY: environment,
  ERR_STACK_OUTPUT: environment,
  ERR_STS_TOKEN_REJECTED: rejected,
  ERR_STS_IDP_UNREACHABLE: environment,
  ERR_STS_CLAIM_REJECTED: rejected,
  ERR_STS_TOKEN_EXPIRED: rejected,
  ERR_STS_ROLE_DENIED: rejected,
  ERR_CLUSTER_CREDENTIALS_MISSING: environment,
  ERR_CLUSTER_CREDENTIALS_DENIED: environment,
  ERR_CLUSTER_CREDENTIALS_EMPTY: environment,
  ERR_CLUSTER_CREDENTIALS_INVALID: environment,
  ERR_CLUSTER_CREDENTIALS_UNSAFE: environment,
  // another signer rotation (ccoctl's) holds the cluster, or its guard is unreadable
  ERR_ROTATION_GUARD_HELD: environment,
  ERR_ROTATION_GUARD_INVALID: environment,
  ERR_IAM_INVENTORY: rejected,
  ERR_AUDIT_FORMAT: rejected,
  // functions/ and infra/
  ERR_TASK_EVENT: rejected,
  ERR_TASK_FAILED: rejected,
  ERR_TASK_CONFIG: environment,
  ERR_CONFIG: environment,
  // local/
  ERR_LOCAL_ROTATION: environment,
  ERR_ROTATION_INTERRUPTED: interrupted,
  ERR_PORT_BUSY: environment,
  ERR_ISSUER_NOT_SERVABLE: rejected,
  ERR_HOME_BUSY: environment,
  ERR_HOME_UNUSABLE: environment,
  ERR_HOME_UNSAFE: environment,
  ERR_WORKFLOW_FAILED: rejected,
  ERR_WORKFLOW_BINDING: internal,
  ERR_SIM_NOT_FOUND: rejected,
  ERR_SIM_ALREADY_EXISTS: rejected,
  ERR_SIM_CONFLICT: rejected,
  ERR_SIM_INVALID: rejected,
  ERR_SIM_FORBIDDEN: rejected,
  ERR_SIM_INJECTED_FAILURE: rejected,
  ERR_SIM_BAD_REQUEST: rejected,
  ERR_SIM_UNAUTHORIZED: rejected,
  ERR_SIM_NO_ROUTE: rejected,
  ERR_SIM_METHOD_NOT_ALLOWED: rejected,
  ERR_SIM_TOO_LARGE: rejected,
  ERR_SIM_UNSUPPORTED_MEDIA_TYPE: rejected,
  ERR_SIM_PATCH_FAILED: rejected,
  // cli/
  ERR_CLI_FILE: environment,
  ERR_NO_ISSUERS: environment,
  ERR_UNKNOWN_ISSUER: environment,
  ERR_FOLLOW_STOPPED: interrupted,
  ERR_ROTATION_FAILED: rejected,
  ERR_FLEET_FAILED: rejected,
  ERR_MAINTENANCE_FAILED: rejected,
};

function isKnownCode(code: unknown): code is KeyturnErrorCode {
  return typeof code === 'string' && Object.hasOwn(EXIT_CODE_OF, code);
}

/**
 * The one place that decides the exit code for an error. A workflow failure exits as the keyturn error
 * that failed its state would (a cluster that is down: 3; a verification that failed: 1). Anything that
 * is not a KeyturnError is a bug: 70.
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (!isKeyturnError(error)) return ExitCode.internal;
  // Matched by code, not instanceof: the CLI loads the local runner only for the commands that run it.
  const failedCode =
    error.code === 'ERR_WORKFLOW_FAILED' ? (error as WorkflowFailedError).failedCode : undefined;
  if (isKnownCode(failedCode)) return EXIT_CODE_OF[failedCode];
  // Every code is in the Record; a code that is not (a subclass defined outside keyturn) is still a refusal.
  return isKnownCode(error.code) ? EXIT_CODE_OF[error.code] : ExitCode.rejected;
}
