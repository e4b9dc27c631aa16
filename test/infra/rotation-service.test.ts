import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_FILES } from '#infra/workflows/index.ts';
import { TASK_NAMES, taskPlaceholder } from '#shared/workflow-tasks.ts';
import { FULL_CONFIG, synthForSuite } from './synth-stack.ts';
import { functionLogicalId, roleLogicalIdOf } from './template-queries.ts';

describe('RotationService', () => {
  const minimal = synthForSuite();
  const full = synthForSuite(FULL_CONFIG);
  const resources = minimal.template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;

  it('deploys one Node 24 function per workflow task, traced, with its own log group and retention', () => {
    for (const task of TASK_NAMES) {
      const fn = resources[functionLogicalId(minimal.template, task)]?.Properties ?? expect.fail();
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Timeout: 60,
      });
      const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 365 },
      });
    }
    minimal.template.resourceCountIs('AWS::Lambda::Function', TASK_NAMES.length);
  });

  it('gives the functions the environment functions/aws-ports.ts reads, and no kubeconfig', () => {
    const fn = resources[functionLogicalId(minimal.template, 'push')]?.Properties ?? expect.fail();
    const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;

    expect(Object.keys(variables).sort()).toEqual([
      'KEYTURN_CLUSTER_SECRET_PREFIX',
      'KEYTURN_DISTRIBUTION_ID',
      'KEYTURN_ISSUER_BUCKET',
      'KEYTURN_KEYRING_MAC_KEY_ID',
      'KEYTURN_KMS_KEY_ID',
      'KEYTURN_STATE_BUCKET',
      'NODE_OPTIONS',
    ]);
    expect(variables.KEYTURN_CLUSTER_SECRET_PREFIX).toBe('keyturn-cluster/');
    expect(JSON.stringify(fn)).not.toMatch(/KUBECONFIG|BEGIN .*PRIVATE KEY/);
  });

  it('tells the functions where a migrated issuer publishes (KEYTURN_ISSUER_TARGETS)', () => {
    const fn = full.template.toJSON().Resources[functionLogicalId(full.template, 'publish')].Properties;
    expect(JSON.parse(fn.Environment.Variables.KEYTURN_ISSUER_TARGETS)).toEqual({
      legacy: { bucket: 'legacy-oidc', distributionId: 'E2LEGACY0001' },
    });
  });

  it('places only the functions that read cluster credentials in the VPC', () => {
    for (const task of TASK_NAMES) {
      const fn = full.template.toJSON().Resources[functionLogicalId(full.template, task)].Properties;
      const reachesCluster = full.inventory[task]?.resources['cluster-credentials'] !== undefined;
      expect(fn.VpcConfig !== undefined, task).toBe(reachesCluster);
      if (reachesCluster) {
        expect(fn.VpcConfig).toEqual({
          SubnetIds: FULL_CONFIG.vpc.privateSubnetIds,
          SecurityGroupIds: FULL_CONFIG.vpc.securityGroupIds,
        });
      }
    }
  });

  it('turns key rotation on and keeps cryptographic use out of the account-wide key policy statement', () => {
    minimal.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('private service-account signing keys'),
    });
    const key = Object.values(minimal.template.findResources('AWS::KMS::Key')).find((k) =>
      String(k.Properties.Description).includes('signing keys'),
    );
    const statements = key?.Properties.KeyPolicy.Statement as {
      Sid: string;
      Action: string[];
      Principal: unknown;
    }[];
    const account = statements.find((s) => s.Sid === 'AccountAdministersButDoesNotUse') ?? expect.fail();
    expect(
      account.Action.filter((a) => /Encrypt|Decrypt|GenerateDataKey|ReEncrypt|Sign|CreateGrant|\*/.test(a)),
    ).toEqual([]);
    const users = statements.filter((s) => s.Sid !== 'AccountAdministersButDoesNotUse');
    const roleIds = new Set(
      TASK_NAMES.map((task) => roleLogicalIdOf(minimal.template, functionLogicalId(minimal.template, task))),
    );
    for (const statement of users) {
      const principal = JSON.stringify(statement.Principal);
      expect(
        [...roleIds].some((id) => principal.includes(`"${id}"`)),
        principal,
      ).toBe(true);
    }
  });

  it('lets the configured operators use the key for keyturn init --aws', () => {
    full.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'Operators',
            Action: 'kms:GenerateDataKeyPair',
            Principal: { AWS: FULL_CONFIG.operatorRoleArns[0] },
          }),
        ]),
      },
    });
  });

  it('deploys the state machines from the very ASL files the local runner executes, every placeholder bound', () => {
    const template = minimal.template;
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const idOf = (name: string) =>
      Object.keys(machines).find((id) => id.startsWith(`Workflows${name}`)) ?? expect.fail(name);
    const functionArn = (task: string) => ({ 'Fn::GetAtt': [functionLogicalId(template, task), 'Arn'] });
    const expected = {
      Rotation: {
        file: WORKFLOW_FILES.rotation,
        substitutions: Object.fromEntries(
          TASK_NAMES.map((task) => [taskPlaceholder(task), functionArn(task)]),
        ),
      },
      Maintenance: {
        file: WORKFLOW_FILES.maintenance,
        substitutions: Object.fromEntries(
          TASK_NAMES.map((task) => [taskPlaceholder(task), functionArn(task)]),
        ),
      },
      Fleet: {
        file: WORKFLOW_FILES.fleet,
        substitutions: { RotationStateMachineArn: { Ref: idOf('Rotation') } },
      },
    };

    for (const [name, { file, substitutions }] of Object.entries(expected)) {
      const properties = machines[idOf(name)]?.Properties;
      if (name === 'Fleet') {
        // The file as it is, plus the TimeoutSeconds the CDK sizes (fleet-timeout.test.ts).
        const { TimeoutSeconds, ...deployed } = JSON.parse(properties.DefinitionString);
        expect(deployed, name).toEqual(JSON.parse(readFileSync(file, 'utf8')));
        expect(TimeoutSeconds, name).toEqual(expect.any(Number));
      } else {
        const asset = join(minimal.outdir, `asset.${properties.DefinitionS3Location.Key}`);
        expect(readFileSync(asset, 'utf8'), name).toBe(readFileSync(file, 'utf8'));
      }
      expect(properties.DefinitionSubstitutions, name).toEqual(substitutions);
      const placeholders = [...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]);
      for (const placeholder of placeholders) expect(Object.keys(substitutions), name).toContain(placeholder);
    }
  });

  it('logs every state machine without execution data, and traces it', () => {
    const machines = Object.values(minimal.template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(3);
    for (const machine of machines) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('lets the workflows invoke their functions only (no versions, no other function)', () => {
    const rotationRole = Object.entries(minimal.template.findResources('AWS::IAM::Role')).find(([id]) =>
      id.startsWith('WorkflowsRotationRole'),
    )?.[0];
    const policies = Object.values(minimal.template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(`"${rotationRole}"`),
    );
    const invoke = policies
      .flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown[] }[],
      )
      .filter((statement) => statement.Action === 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.Resource).toEqual(
      TASK_NAMES.map((task) => ({ 'Fn::GetAtt': [functionLogicalId(minimal.template, task), 'Arn'] })),
    );
  });
});
