import { createStackKeyringStore } from '#shared/adapters/aws/s3-keyring-store.ts';
import type { KeyturnStackOutputs } from '#shared/adapters/aws/stack-outputs.ts';
import { KeyturnError } from '#shared/errors.ts';
import { type AwsTargetOptions, awsTargetFlags } from './aws-target.ts';

/** The deployment has no issuer at all, or not one that the command line named. */
export class AwsIssuersError extends KeyturnError<'ERR_NO_ISSUERS' | 'ERR_UNKNOWN_ISSUER'> {}

/**
 * The issuers a fleet rotation or a maintenance run acts on: every issuer with a keyring in the stack's
 * state bucket (`keyrings/<id>.json`), or those `requested`, each checked against that list so that a
 * typo fails here, before any workflow starts.
 */
export async function selectAwsIssuers(
  stack: KeyturnStackOutputs,
  options: AwsTargetOptions & { readonly requested?: readonly string[] },
): Promise<string[]> {
  const store = createStackKeyringStore(stack, options.region);
  const known = await store.list();
  const where = `s3://${stack.stateBucketName}/keyrings/ (stack ${stack.stackName})`;
  const create = `keyturn init --aws --issuer-id ID${awsTargetFlags(options)}`;
  if (known.length === 0) {
    throw new AwsIssuersError('ERR_NO_ISSUERS', `no issuer in ${where}; create one with: ${create}`);
  }
  if (options.requested === undefined) return known;
  const unknown = options.requested.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new AwsIssuersError(
      'ERR_UNKNOWN_ISSUER',
      `no issuer ${unknown.join(', ')} in ${where}; it has ${briefList(known)} (create one with: ${create})`,
    );
  }
  return [...options.requested];
}

/** `a, b, c`, or `a, b, … (12 in all)` past `max` ids, for one readable line. */
export function briefList(ids: readonly string[], max = 10): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … (${ids.length} in all)`;
}
