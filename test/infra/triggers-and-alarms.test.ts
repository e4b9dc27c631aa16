import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FLEET_ROTATION_DETAIL_TYPE, ROTATION_EVENT } from '#infra/constructs/rotation-triggers.ts';
import { STACK_OUTPUT_KEYS } from '#shared/adapters/aws/stack-outputs.ts';
import { FULL_CONFIG, synthForSuite } from './synth-stack.ts';

/** Logical id of the state machine `Workflows/<name>`. */
function machineId(resources: Record<string, unknown>, name: string): string {
  return (
    Object.keys(resources).find(
      (id) => id.startsWith(`Workflows${name}`) && !id.includes('Role') && !id.includes('Logs'),
    ) ?? ''
  );
}

describe('RotationTriggers', () => {
  const minimal = synthForSuite();
  const full = synthForSuite(FULL_CONFIG);
  const machines = minimal.template.findResources('AWS::StepFunctions::StateMachine');

  it('schedules each issuer every 90 days by default, through the fleet workflow', () => {
    minimal.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(90 days)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: machineId(machines, 'Fleet') },
        Input: JSON.stringify({
          issuerIds: ['cluster-a'],
          mode: 'scheduled',
          maxConcurrency: 1,
          toleratedFailurePercentage: 0,
        }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
      }),
    });
  });

  it('uses each issuer’s own interval when it has one', () => {
    full.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(60 days)',
      Target: Match.objectLike({ Input: Match.stringLikeRegexp('"issuerIds":\\["prod-east"\\]') }),
    });
    full.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 days)',
      Target: Match.objectLike({ Input: Match.stringLikeRegexp('"issuerIds":\\["legacy"\\]') }),
    });
  });

  it('maintains every issuer hourly', () => {
    full.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ Input: JSON.stringify({ issuerIds: ['prod-east', 'legacy'] }) }),
    });
    minimal.template.resourceCountIs('AWS::Scheduler::Schedule', 2);
  });

  it('starts a manual or emergency rotation on a keyturn event naming a configured issuer', () => {
    for (const mode of ['manual', 'emergency']) {
      minimal.template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: [ROTATION_EVENT.source],
          'detail-type': [ROTATION_EVENT.detailType],
          detail: Match.objectLike({ issuerId: ['cluster-a'], mode: [mode] }),
        },
        Targets: [
          Match.objectLike({
            Arn: { Ref: machineId(machines, 'Rotation') },
            InputTransformer: Match.objectLike({
              InputPathsMap: Match.objectLike({ 'detail-issuerId': '$.detail.issuerId', id: '$.id' }),
              InputTemplate: Match.stringLikeRegexp(`"rotationId":<id>,"mode":"${mode}"`),
            }),
          }),
        ],
      });
    }
    minimal.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ compromisedKid: [{ exists: true }] }) }),
    });
  });
});

describe('the fleet rotation rule', () => {
  const full = synthForSuite(FULL_CONFIG);

  it('rotates every configured issuer within the configured bounds on a fleet event', () => {
    const machines = full.template.findResources('AWS::StepFunctions::StateMachine');
    full.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['keyturn'], 'detail-type': [FLEET_ROTATION_DETAIL_TYPE] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId(machines, 'Fleet') },
          Input: JSON.stringify({
            issuerIds: ['prod-east', 'legacy'],
            mode: 'manual',
            maxConcurrency: 4,
            toleratedFailurePercentage: 25,
          }),
        }),
      ],
    });
  });
});

describe('RotationAlarms', () => {
  const full = synthForSuite(FULL_CONFIG);
  const topic = () => Object.keys(full.template.findResources('AWS::SNS::Topic'))[0];

  it('sends alarms to an encrypted, SSL-only topic, with the configured email subscribed', () => {
    full.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    full.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    full.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform@example.com',
    });
  });

  it('alarms on failed, timed-out or aborted executions of each workflow', () => {
    const alarms = Object.values(full.template.findResources('AWS::CloudWatch::Alarm'));
    const executionAlarms = alarms.filter((alarm) =>
      JSON.stringify(alarm.Properties.Metrics ?? []).includes('ExecutionsFailed'),
    );
    expect(executionAlarms).toHaveLength(3);
    for (const alarm of executionAlarms) {
      expect(alarm.Properties).toMatchObject({ Threshold: 1, AlarmActions: [{ Ref: topic() }] });
      expect(JSON.stringify(alarm.Properties.Metrics)).toMatch(
        /ExecutionsTimedOut.*ExecutionsAborted|ExecutionsAborted.*ExecutionsTimedOut/,
      );
    }
  });

  it('alarms per issuer on a key older than its policy and on an unreachable public keys.json', () => {
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'keyturn',
      MetricName: 'ActiveKeyAge',
      Dimensions: Match.arrayWith([
        { Name: 'IssuerId', Value: 'prod-east' },
        { Name: 'service', Value: 'keyturn' },
      ]),
      Threshold: 75 * 86_400,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topic() }],
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ActiveKeyAge',
      Dimensions: Match.arrayWith([{ Name: 'IssuerId', Value: 'legacy' }]),
      Threshold: 45 * 86_400,
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PublicJwksReachable',
      Statistic: 'Minimum',
      Dimensions: Match.arrayWith([{ Name: 'IssuerId', Value: 'legacy' }]),
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
    });
    full.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StepOutcome',
      Dimensions: Match.arrayWith([
        { Name: 'outcome', Value: 'failed' },
        { Name: 'step', Value: 'maintain' },
      ]),
    });
  });
});

describe('OIDC providers and outputs', () => {
  const minimal = synthForSuite();
  const full = synthForSuite(FULL_CONFIG);

  it('creates one IAM OIDC provider per issuer for openshift and sts.amazonaws.com at the issuer URL', () => {
    minimal.template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    minimal.template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      ClientIdList: ['openshift', 'sts.amazonaws.com'],
      Url: {
        'Fn::Join': [
          '',
          [
            'https://',
            { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] },
            '/cluster-a',
          ],
        ],
      },
    });
  });

  it('creates none where the issuer already has one, and uses a migrated issuer’s own URL', () => {
    full.template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    full.template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://oidc.example.com/prod-east',
    });
  });

  it('outputs exactly what the keyturn CLI reads (shared/adapters/aws/stack-outputs.ts)', () => {
    expect(Object.keys(minimal.template.findOutputs('*')).sort()).toEqual([...STACK_OUTPUT_KEYS].sort());
    expect(STACK_OUTPUT_KEYS).toContain('RotationStateMachineArn');
  });
});
