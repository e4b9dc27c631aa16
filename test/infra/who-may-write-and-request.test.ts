import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { OBJECT_WRITE_ACTIONS } from '#infra/constructs/bucket-write-guard.ts';
import { ROTATION_EVENT } from '#infra/constructs/rotation-triggers.ts';
import { TASK_NAMES } from '#shared/workflow-tasks.ts';
import { FULL_CONFIG, MINIMAL_CONFIG, type SynthesizedStack, synthForSuite } from './synth-stack.ts';
import { functionLogicalId, roleLogicalIdOf, type TemplateStatement } from './template-queries.ts';

const OPERATOR = FULL_CONFIG.operatorRoleArns[0];
const REQUESTER = 'arn:aws:iam::444455556666:role/incident-response';

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalIdOf(synthesized: SynthesizedStack, type: string, prefix: string): string {
  const ids = Object.keys(synthesized.template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.join(', ')}`);
  return ids[0] as string;
}

/** The statements of the bucket policy of the bucket whose logical id starts with `prefix`. */
function bucketStatements(synthesized: SynthesizedStack, prefix: string): TemplateStatement[] {
  const bucket = logicalIdOf(synthesized, 'AWS::S3::Bucket', prefix);
  const [policy] = Object.values(synthesized.template.findResources('AWS::S3::BucketPolicy')).filter(
    (candidate) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: bucket }),
  );
  return policy?.Properties.PolicyDocument.Statement ?? [];
}

/** The role ARN reference of each task's function. */
function roleArnsOf(synthesized: SynthesizedStack, tasks: readonly string[]): unknown[] {
  return tasks.map((task) => ({
    'Fn::GetAtt': [
      roleLogicalIdOf(synthesized.template, functionLogicalId(synthesized.template, task)),
      'Arn',
    ],
  }));
}

/** The statement denying object writes, and the principals it lets through. */
function writeGuardOf(statements: TemplateStatement[]): { statement: TemplateStatement; writers: unknown[] } {
  const statement = statements.find(
    (candidate) => candidate.Effect === 'Deny' && JSON.stringify(candidate.Action).includes('s3:PutObject*'),
  );
  if (statement === undefined) throw new Error('no object-write guard');
  const writers = (statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'] ?? []) as unknown[];
  return { statement, writers };
}

describe('who may write the state and issuer buckets (NO-ORPHAN-TOKENS, ALWAYS-VALID)', () => {
  const full = synthForSuite(FULL_CONFIG);
  // The tasks whose recorded SDK calls (infra/iam-inventory.json) put objects in each bucket.
  const writersOf = (resource: 'state-bucket' | 'issuer-bucket') =>
    TASK_NAMES.filter((task) => full.inventory[task]?.resources[resource]?.includes('s3:PutObject'));
  const stateWriters = writersOf('state-bucket');
  const issuerWriters = writersOf('issuer-bucket');

  it('denies every object write to the state bucket except to the task roles that write keyrings and the operators', () => {
    // Act
    const { statement, writers } = writeGuardOf(bucketStatements(full, 'SigningKeysStateBucket'));

    // Assess
    expect(statement).toMatchObject({ Principal: { AWS: '*' }, Action: [...OBJECT_WRITE_ACTIONS] });
    expect(writers).toEqual([...roleArnsOf(full, stateWriters), OPERATOR]);
    expect(stateWriters).toContain('prepare');
    expect(JSON.stringify(writers)).not.toContain(JSON.stringify(roleArnsOf(full, ['watch-rollout'])[0]));
  });

  it('denies every object write to the issuer bucket except to the publishing task roles and the operators', () => {
    const { writers } = writeGuardOf(bucketStatements(full, 'IssuerHostingBucket'));

    expect(writers).toEqual([...roleArnsOf(full, issuerWriters), OPERATOR]);
    expect(issuerWriters).toContain('publish');
    expect(issuerWriters).not.toContain('verify');
  });

  it('keeps CloudFormation able to deploy the buckets: only object ARNs are guarded, never the bucket or its policy', () => {
    for (const prefix of ['SigningKeysStateBucket', 'IssuerHostingBucket']) {
      const { statement } = writeGuardOf(bucketStatements(full, prefix));
      const bucket = logicalIdOf(full, 'AWS::S3::Bucket', prefix);

      expect(statement.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] });
      expect(JSON.stringify(statement.Action)).not.toMatch(/Bucket/);
    }
  });

  it('lets only the task roles write when no operator is configured (keyturn init --aws needs one anyway: the key policy)', () => {
    const minimal = synthForSuite(MINIMAL_CONFIG);

    const { writers } = writeGuardOf(bucketStatements(minimal, 'SigningKeysStateBucket'));

    expect(writers).toEqual(roleArnsOf(minimal, stateWriters));
  });
});

describe('who may request a rotation (NO-ORPHAN-TOKENS)', () => {
  const full = synthForSuite(FULL_CONFIG);
  const minimal = synthForSuite(MINIMAL_CONFIG);
  const requesters = synthForSuite({ ...FULL_CONFIG, rotationRequesterArns: [REQUESTER] });
  const busId = (synthesized: SynthesizedStack) =>
    logicalIdOf(synthesized, 'AWS::Events::EventBus', 'TriggersRotationRequests');

  it('listens on keyturn’s own bus, never the default one', () => {
    full.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'KeyturnFull-rotation-requests' });
    const rules = Object.values(full.template.findResources('AWS::Events::Rule'));

    expect(rules).toHaveLength(3);
    for (const rule of rules) expect(rule.Properties.EventBusName).toEqual({ Ref: busId(full) });
  });

  /** The statements of the bus's own policy. */
  const busStatements = (synthesized: SynthesizedStack): TemplateStatement[] => {
    const bus = synthesized.template.findResources('AWS::Events::EventBus')[busId(synthesized)];
    return bus?.Properties.Policy.Statement ?? [];
  };

  it('lets the operators send to it by default, and denies every other principal, administrators included', () => {
    expect(busStatements(full)).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: OPERATOR }, Action: 'events:PutEvents' }),
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [OPERATOR] } },
      }),
    ]);
  });

  it('lets exactly the configured requesters send, of any account, once rotationRequesterArns is set', () => {
    expect(busStatements(requesters)).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: { AWS: REQUESTER } }),
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [REQUESTER] } },
      }),
    ]);
  });

  it('denies everyone when there is neither a requester nor an operator', () => {
    expect(busStatements(minimal)).toEqual([
      {
        Sid: 'NobodyElse',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: expect.anything(),
      },
    ]);
    minimal.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('matches a manual request only without a compromised key, a lead time or a rotation id it would drop', () => {
    minimal.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [ROTATION_EVENT.source],
        'detail-type': [ROTATION_EVENT.detailType],
        detail: {
          issuerId: ['cluster-a'],
          mode: ['manual'],
          compromisedKid: [{ exists: false }],
          leadTimeSeconds: [{ exists: false }],
          rotationId: [{ exists: false }],
        },
      },
    });
  });

  it('matches an emergency request only when it names the compromised key, as before, and carries no lead time', () => {
    minimal.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          issuerId: ['cluster-a'],
          mode: ['emergency'],
          compromisedKid: [{ exists: true }],
          leadTimeSeconds: [{ exists: false }],
          rotationId: [{ exists: false }],
        },
      }),
    });
  });

  it('matches a fleet request only without the bounds and issuers it would ignore', () => {
    minimal.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          issuerIds: [{ exists: false }],
          mode: [{ exists: false }],
          maxConcurrency: [{ exists: false }],
          toleratedFailurePercentage: [{ exists: false }],
        },
      }),
    });
  });
});
