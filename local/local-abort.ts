import type { Keyring } from '#shared/keyring/keyring.ts';
import { type AbortResult, abortRotation, requireRotationToAbort } from '#shared/rotation/index.ts';
import type { GoOnCommands } from '#shared/rotation/resume-plan.ts';
import { LOCAL_GO_ON } from './local-resume.ts';
import { type LocalClusterOptions, readIssuer, withLocalSession } from './local-session.ts';

/** Which rotation to abort, and where its cluster is. */
export interface LocalAbortOptions extends LocalClusterOptions {
  /** The issuer whose rotation in flight ends. @default the only issuer of the home */
  readonly issuerId?: string;
  /** The abort command as the person typed it, named when the abort fails. @default LOCAL_GO_ON */
  readonly goOn?: GoOnCommands;
}

/** What the abort did, and the keyring after it. */
export interface LocalAbortResult extends AbortResult {
  readonly issuerId: string;
  readonly keyring: Keyring;
}

/**
 * `keyturn rotate --local --abort`: ends the issuer's rotation in flight safely (shared/rotation/abort.ts)
 * with the local ports: the new key leaves keys.json if it was never pushed, else the previous key is
 * pushed back to the cluster (the simulator, or the kubeconfig's) and both stay published. With no
 * rotation in flight it fails before starting any server (ERR_ROTATION_NOT_IN_FLIGHT).
 */
export async function abortLocalRotation(options: LocalAbortOptions): Promise<LocalAbortResult> {
  const keyring = await readIssuer(options.home, options.issuerId);
  requireRotationToAbort(keyring);
  const command = (options.goOn ?? LOCAL_GO_ON).abort;
  const result = await withLocalSession(options, keyring, command, (ports) =>
    abortRotation(ports, { issuerId: keyring.issuerId, command }),
  );
  return { ...result, issuerId: keyring.issuerId, keyring: await readIssuer(options.home, keyring.issuerId) };
}
