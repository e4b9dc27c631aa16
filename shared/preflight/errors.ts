import { KeyturnError } from '../errors.ts';

/**
 * `keyturn preflight` said no: ERR_PREFLIGHT_FAILED when a check failed or could not run (each is named
 * on its own line); ERR_PREFLIGHT_SETUP when it could not start (no kubeconfig, no issuer to check).
 */
export class PreflightError extends KeyturnError<'ERR_PREFLIGHT_FAILED' | 'ERR_PREFLIGHT_SETUP'> {}
