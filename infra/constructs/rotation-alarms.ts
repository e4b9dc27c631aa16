import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { adminOnlyKeyPolicy } from './key-policies.ts';

/** The namespace and service dimension of keyturn's own metrics (functions/observability.ts). */
export const METRICS_NAMESPACE = 'keyturn';

/** One issuer's alarm thresholds. */
export interface AlarmedIssuer {
  readonly id: string;
  /** Alarm when the active key is older than this. */
  readonly maxKeyAgeDays: number;
}

/** Props of {@link RotationAlarms}. */
export interface RotationAlarmsProps {
  /** Workflows whose failed, timed-out or aborted executions raise an alarm, by name. */
  readonly workflows: Readonly<Record<string, sfn.IStateMachine>>;
  readonly issuers: readonly AlarmedIssuer[];
  /** Subscribe this address to the alarm topic. @default no subscription */
  readonly email?: string;
}

/**
 * Alarms to an encrypted SNS topic: any failed workflow execution, maintenance failing two hours in a
 * row, and per issuer an active key older than its policy or a public keys.json that maintenance could
 * not read for two hours. The issuer metrics come from the maintain task (ActiveKeyAge,
 * PublicJwksReachable; dimensions service and IssuerId); no data is not an alarm (a new issuer).
 */
export class RotationAlarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RotationAlarmsProps) {
    super(scope, id);
    const topicKey = new kms.Key(this, 'TopicKey', {
      description: 'keyturn: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      policy: adminOnlyKeyPolicy(),
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'keyturn alarms',
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.email !== undefined)
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    for (const [name, machine] of Object.entries(props.workflows)) this.addExecutionAlarm(name, machine);
    this.add(
      'MaintainFailing',
      'maintenance of an issuer failed in each of the last two hours (see the maintain function logs)',
      this.keyturnMetric('StepOutcome', 'Sum', { step: 'maintain', outcome: 'failed' }),
      { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD },
      2,
    );
    for (const issuer of props.issuers) {
      this.add(
        `KeyTooOld-${issuer.id}`,
        `issuer ${issuer.id}: the active signing key is older than ${issuer.maxKeyAgeDays} days; rotate it`,
        this.keyturnMetric('ActiveKeyAge', 'Maximum', { IssuerId: issuer.id }),
        {
          threshold: issuer.maxKeyAgeDays * 86_400,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        },
        1,
      );
      this.add(
        `JwksUnreachable-${issuer.id}`,
        `issuer ${issuer.id}: the public keys.json could not be read for two hours; STS cannot verify tokens`,
        this.keyturnMetric('PublicJwksReachable', 'Minimum', { IssuerId: issuer.id }),
        { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD },
        2,
      );
    }
  }

  private addExecutionAlarm(name: string, machine: sfn.IStateMachine): void {
    const period = Duration.minutes(5);
    const ended = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: machine.metricFailed({ period }),
        timedOut: machine.metricTimedOut({ period }),
        aborted: machine.metricAborted({ period }),
      },
      period,
      label: `${name} executions failed, timed out or aborted`,
    });
    this.add(
      `${name}ExecutionFailed`,
      `a keyturn ${name.toLowerCase()} execution failed, timed out or was aborted (a failed rotation has rolled back)`,
      ended,
      { threshold: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD },
      1,
    );
  }

  private keyturnMetric(
    metricName: string,
    statistic: string,
    dimensions: Record<string, string>,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      statistic,
      period: Duration.hours(1),
      dimensionsMap: { service: METRICS_NAMESPACE, ...dimensions },
    });
  }

  private add(
    id: string,
    description: string,
    metric: cloudwatch.IMetric,
    condition: Pick<cloudwatch.CreateAlarmOptions, 'threshold' | 'comparisonOperator'>,
    periods: number,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `keyturn: ${description}`,
      metric,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...condition,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
