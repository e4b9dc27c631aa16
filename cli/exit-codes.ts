import { CommanderError } from 'commander';
import { isKeyturnError } from '#shared/errors.ts';
import { CliInputError } from './io.ts';

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
  /** Ctrl-C stopped a command that follows work running elsewhere (that work goes on). */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Codes that say something around keyturn got in the way, not that keyturn refused the input. */
const ENVIRONMENT_CODES: ReadonlySet<string> = new Set([
  'ERR_ISSUER_FETCH',
  'ERR_LOCAL_ROTATION',
  'ERR_PUBLISH_CONFLICT',
  'ERR_INVALIDATION_TIMEOUT',
  'ERR_AWS_THROTTLED',
  'ERR_AWS_UNAVAILABLE',
  'ERR_STS_IDP_UNREACHABLE',
  'ERR_KEYRING_CONFLICT',
  'ERR_ROTATION_IN_PROGRESS',
  'ERR_VAULT_MASTER_KEY',
  'ERR_VAULT_NOT_FOUND',
  'ERR_AWS_SETUP',
  'ERR_AWS_ACCESS_DENIED',
  'ERR_STACK_NOT_FOUND',
  'ERR_STACK_NOT_READY',
  'ERR_STACK_OUTPUT',
  'ERR_STATE_MACHINE_NOT_FOUND',
  'ERR_EXECUTION_NOT_FOUND',
  'ERR_MAP_RUN_NOT_FOUND',
  'ERR_NO_ISSUERS',
  'ERR_UNKNOWN_ISSUER',
]);

/** Codes that say the user stopped the command, not that anything failed. */
const INTERRUPTED_CODES: ReadonlySet<string> = new Set(['ERR_FOLLOW_STOPPED']);

/** The one place that decides the exit code for an error. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof CliInputError) {
    return ExitCode.environment;
  }
  if (isKeyturnError(error)) {
    if (INTERRUPTED_CODES.has(error.code)) return ExitCode.interrupted;
    return ENVIRONMENT_CODES.has(error.code) ? ExitCode.environment : ExitCode.rejected;
  }
  return ExitCode.internal;
}
