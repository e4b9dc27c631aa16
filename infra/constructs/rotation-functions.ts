import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TASK_NAMES, type TaskName, taskPascalName } from '#shared/workflow-tasks.ts';
import type { IamInventory } from './iam-inventory.ts';
import { type GrantTargets, statementsFor } from './inventory-grants.ts';
import { nagArn } from './nag-ids.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * How each handler is bundled: ESM for Node 24, the SDK v3 from the runtime, class names kept because
 * the ASL's Retry and Catch match error names (a minifier would rename `KeyringConflictError`), and a
 * `require` for the CommonJS dependencies inside an ESM bundle.
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  sourceMap: true,
  externalModules: ['@aws-sdk/*'],
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const satisfies BundlingOptions;

/** Where a function may reach a private cluster API. */
export interface FunctionPlacement {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/** Props of {@link RotationFunctions}. */
export interface RotationFunctionsProps {
  /** What each function may do, from infra/iam-inventory.json. */
  readonly inventory: IamInventory;
  /** The resources behind the inventory's roles. */
  readonly targets: GrantTargets;
  /** The functions' environment (functions/aws-ports.ts reads it). */
  readonly environment: Readonly<Record<string, string>>;
  /** Days the logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** The configured issuers (their signing-key secrets appear in the policies). */
  readonly issuerIds: readonly string[];
  /** VPC placement of the functions that talk to the cluster. @default none (public cluster APIs) */
  readonly clusterPlacement?: FunctionPlacement;
}

/**
 * One Lambda per workflow task (functions/handlers/<task>.ts): Node 24, ESM bundled by the local esbuild,
 * arm64, active tracing, its own log group, and its own role holding exactly the actions the IAM
 * inventory records for it, on keyturn's resources only. Functions that read cluster credentials are the
 * ones placed in the VPC when one is given.
 */
export class RotationFunctions extends Construct {
  /** The function of each task. */
  public readonly functions: Readonly<Record<TaskName, NodejsFunction>>;
  /** The role of each task's function. */
  public readonly roles: Readonly<Record<TaskName, iam.Role>>;

  constructor(scope: Construct, id: string, props: RotationFunctionsProps) {
    super(scope, id);
    const functions = {} as Record<TaskName, NodejsFunction>;
    const roles = {} as Record<TaskName, iam.Role>;
    for (const task of TASK_NAMES) {
      const entry = props.inventory[task];
      if (entry === undefined)
        throw new Error(`infra/iam-inventory.json has no entry for the ${task} function`);
      const name = taskPascalName(task);
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `keyturn ${task}: the actions infra/iam-inventory.json lists for it`,
      });
      for (const statement of statementsFor(entry, props.targets)) role.addToPrincipalPolicy(statement);
      logGroup.grantWrite(role);
      const placement = entry.resources['cluster-credentials'] ? props.clusterPlacement : undefined;
      const fn = new NodejsFunction(this, name, {
        description: `keyturn rotation task: ${task}`,
        entry: join(ROOT, 'functions', 'handlers', `${task}.ts`),
        projectRoot: ROOT,
        depsLockFilePath: join(ROOT, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(60),
        tracing: lambda.Tracing.ACTIVE,
        logGroup,
        role,
        environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
        bundling: FUNCTION_BUNDLING,
        ...(placement === undefined
          ? {}
          : { vpc: placement.vpc, vpcSubnets: placement.subnets, securityGroups: placement.securityGroups }),
      });
      functions[task] = fn;
      roles[task] = role;
      acknowledgeRoleFindings(role, props.issuerIds, entry.resources['signing-key-secrets'] !== undefined);
    }
    this.functions = functions;
    this.roles = roles;
  }
}

/**
 * The two wildcards a function's policy holds on purpose: X-Ray (no resource-level permissions) and the
 * signing-key secrets of each issuer, whose names carry the rotation id and a random suffix.
 */
function acknowledgeRoleFindings(
  role: iam.Role,
  issuerIds: readonly string[],
  usesSigningKeySecrets: boolean,
): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) return;
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing); X-Ray has no resource-level permissions.',
  });
  if (!usesSigningKeySecrets) return;
  for (const id of issuerIds) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(role, 'secretsmanager', `secret:keyturn/${id}/*`)}]`,
      reason: `Private keys of issuer ${id} are secrets keyturn/${id}/<rotation id>, created per rotation; the wildcard stays within that issuer.`,
    });
  }
}
