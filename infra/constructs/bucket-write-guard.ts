import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { TASK_NAMES, type TaskName } from '#shared/workflow-tasks.ts';
import type { IamInventory, ResourceRole } from './iam-inventory.ts';

/**
 * Every request that changes an object or its metadata: puts (with copies, multipart parts, tags, ACLs,
 * retention, legal holds), deletes of objects, versions and tags, and replication into the bucket.
 */
export const OBJECT_WRITE_ACTIONS = [
  's3:PutObject*',
  's3:DeleteObject*',
  's3:ReplicateObject',
  's3:ReplicateDelete',
  's3:ReplicateTags',
] as const;

/** Whether an inventory action changes an object (what {@link OBJECT_WRITE_ACTIONS} guards). */
function isObjectWrite(action: string): boolean {
  return /^s3:(PutObject|DeleteObject|Replicate)/.test(action);
}

/**
 * The roles of the task functions whose IAM inventory lists an object write on `resource`
 * (`state-bucket`: every task but watch-rollout; `issuer-bucket`: publish, maintain, abort).
 */
export function writerRoles(
  inventory: IamInventory,
  roles: Readonly<Record<TaskName, iam.IRole>>,
  resource: ResourceRole,
): iam.IRole[] {
  return TASK_NAMES.filter((task) => (inventory[task]?.resources[resource] ?? []).some(isObjectWrite)).map(
    (task) => roles[task],
  );
}

/**
 * Denies every object write to `bucket` (its bucket policy) to any principal, of any account, that is not
 * one of `writers` (keyturn's task roles that write it) or `operatorRoleArns` (`keyturn init --aws`):
 * whoever else holds `s3:PutObject` on it, an administrator included, cannot add a key to a keyring or to
 * keys.json. Only object actions are denied, so CloudFormation still creates, updates and keeps the
 * bucket and its policy; an administrator can still change the policy itself, which CloudTrail records.
 */
export function restrictObjectWrites(
  bucket: s3.IBucket,
  writers: readonly iam.IRole[],
  operatorRoleArns: readonly string[],
): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyKeyturnWritesObjects',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [...OBJECT_WRITE_ACTIONS],
      resources: [bucket.arnForObjects('*')],
      conditions: {
        ArnNotEquals: {
          'aws:PrincipalArn': [...writers.map((role) => role.roleArn), ...operatorRoleArns],
        },
      },
    }),
  );
}
