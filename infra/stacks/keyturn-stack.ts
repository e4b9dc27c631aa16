import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TASK_NAMES } from '#shared/workflow-tasks.ts';
import type { KeyturnConfig } from '../config/keyturn-config.ts';
import { maxKeyAgeDaysOf, rotationIntervalDaysOf } from '../config/load-config.ts';
import { AccessLogBucket } from '../constructs/access-log-bucket.ts';
import { restrictObjectWrites, writerRoles } from '../constructs/bucket-write-guard.ts';
import { clusterPlacementFrom } from '../constructs/cluster-placement.ts';
import { functionEnvironment } from '../constructs/function-environment.ts';
import type { IamInventory } from '../constructs/iam-inventory.ts';
import { IssuerHosting } from '../constructs/issuer-hosting.ts';
import { logRetentionOf } from '../constructs/log-retention.ts';
import { publishedIssuers } from '../constructs/published-issuers.ts';
import { RotationAlarms } from '../constructs/rotation-alarms.ts';
import { RotationFunctions } from '../constructs/rotation-functions.ts';
import { RotationTriggers } from '../constructs/rotation-triggers.ts';
import { RotationWorkflows } from '../constructs/rotation-workflows.ts';
import { SigningKeys, secretsManagerService } from '../constructs/signing-keys.ts';

/** Props of {@link KeyturnStack}. */
export interface KeyturnStackProps extends StackProps {
  /** The validated deployment config (infra/config/load-config.ts). */
  readonly config: KeyturnConfig;
  /** The IAM inventory of the functions (infra/iam-inventory.json). */
  readonly inventory: IamInventory;
}

/**
 * Everything keyturn runs on in one account and region: issuer hosting, signing keys and state, the
 * rotation functions and workflows, their triggers and alarms, and an IAM OIDC provider per issuer.
 * The outputs are what the `keyturn` CLI reads (shared/adapters/aws/stack-outputs.ts).
 */
export class KeyturnStack extends Stack {
  constructor(scope: Construct, id: string, props: KeyturnStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = logRetentionOf(config.logRetentionDays);
    const accessLogs = new AccessLogBucket(this, 'AccessLogs');
    const signing = new SigningKeys(this, 'SigningKeys', {
      accessLogsBucket: accessLogs.bucket,
      operatorRoleArns: config.operatorRoleArns,
    });
    const hosting = new IssuerHosting(this, 'IssuerHosting', {
      accessLogsBucket: accessLogs.bucket,
      ...config.hosting,
    });
    const functions = new RotationFunctions(this, 'Functions', {
      inventory: props.inventory,
      issuerIds: config.issuers.map((issuer) => issuer.id),
      logRetention,
      targets: {
        stateBucket: signing.stateBucket,
        issuers: publishedIssuers(this, config, hosting),
        keyArn: signing.key.keyArn,
        keyringMacKeyArn: signing.keyringMacKey.keyArn,
        secretsManagerService: secretsManagerService(this),
        secretArn: (namePattern) => signing.secretArn(namePattern),
      },
      environment: functionEnvironment(config, signing, hosting),
      ...(config.vpc === undefined ? {} : { clusterPlacement: clusterPlacementFrom(this, config.vpc) }),
    });
    for (const task of TASK_NAMES) {
      signing.allowFunctionKeyUse(
        task,
        functions.roles[task],
        props.inventory[task]?.resources['kms-key'] ?? [],
      );
      signing.allowFunctionKeyringMac(
        task,
        functions.roles[task],
        props.inventory[task]?.resources['keyring-mac-key'] ?? [],
      );
    }
    // Only keyturn's roles change keyrings and published documents (a migrated issuer's own bucket is not
    // the stack's: its owner sets its policy).
    restrictObjectWrites(
      signing.stateBucket,
      writerRoles(props.inventory, functions.roles, 'state-bucket'),
      config.operatorRoleArns,
    );
    restrictObjectWrites(
      hosting.bucket,
      writerRoles(props.inventory, functions.roles, 'issuer-bucket'),
      config.operatorRoleArns,
    );
    const workflows = new RotationWorkflows(this, 'Workflows', {
      functions: functions.functions,
      logRetention,
      issuerCount: config.issuers.length,
    });
    new RotationTriggers(this, 'Triggers', {
      rotation: workflows.rotation,
      maintenance: workflows.maintenance,
      fleet: workflows.fleet,
      issuers: config.issuers.map((issuer) => ({
        id: issuer.id,
        intervalDays: rotationIntervalDaysOf(config, issuer),
      })),
      fleetBounds: config.fleet,
      requesterArns: config.rotationRequesterArns ?? config.operatorRoleArns,
    });
    const alarms = new RotationAlarms(this, 'Alarms', {
      workflows: { Rotation: workflows.rotation, Maintenance: workflows.maintenance, Fleet: workflows.fleet },
      issuers: config.issuers.map((issuer) => ({
        id: issuer.id,
        maxKeyAgeDays: maxKeyAgeDaysOf(config, issuer),
      })),
      ...(config.alarms.email === undefined ? {} : { email: config.alarms.email }),
    });
    for (const issuer of config.issuers) {
      if (issuer.oidcProvider !== 'create') continue;
      new iam.OidcProviderNative(this, `OidcProvider-${issuer.id}`, {
        url: issuer.existingIssuer?.url ?? hosting.issuerUrl(issuer.id),
        clientIds: ['openshift', 'sts.amazonaws.com'],
      });
    }
    const outputs: Record<string, string> = {
      RotationStateMachineArn: workflows.rotation.stateMachineArn,
      MaintenanceStateMachineArn: workflows.maintenance.stateMachineArn,
      FleetStateMachineArn: workflows.fleet.stateMachineArn,
      StateBucketName: signing.stateBucket.bucketName,
      IssuerBucketName: hosting.bucket.bucketName,
      DistributionId: hosting.distribution.distributionId,
      IssuerBaseUrl: hosting.baseUrl,
      SigningKeyArn: signing.key.keyArn,
      KeyringMacKeyArn: signing.keyringMacKey.keyArn,
      AlarmTopicArn: alarms.topic.topicArn,
    };
    for (const [key, value] of Object.entries(outputs)) new CfnOutput(this, key, { value });
  }
}
