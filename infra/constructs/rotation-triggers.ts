import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** The source and detail types of the events that request a rotation. */
export const ROTATION_EVENT = { source: 'keyturn', detailType: 'Rotation Requested' } as const;
/** The detail type of the event that requests a rotation of every issuer (the fleet workflow). */
export const FLEET_ROTATION_DETAIL_TYPE = 'Fleet Rotation Requested';

/** One issuer's schedule. */
export interface ScheduledIssuer {
  readonly id: string;
  /** Days between scheduled rotations. */
  readonly intervalDays: number;
}

/** Props of {@link RotationTriggers}. */
export interface RotationTriggersProps {
  readonly rotation: sfn.IStateMachine;
  readonly maintenance: sfn.IStateMachine;
  readonly fleet: sfn.IStateMachine;
  readonly issuers: readonly ScheduledIssuer[];
  /** Bounds of a fleet rotation: rotations at once, and the share of issuers allowed to fail. */
  readonly fleetBounds: { readonly maxConcurrency: number; readonly toleratedFailurePercentage: number };
}

/**
 * What starts keyturn's workflows: an EventBridge Scheduler schedule per issuer (through the fleet
 * workflow, which names each rotation execution `<issuer>--<rotation id>`), an hourly maintenance of
 * every issuer, and EventBridge rules that start a manual or emergency rotation when a
 * `keyturn / Rotation Requested` event names a configured issuer (anything else never matches), and one
 * that rotates the whole fleet, within its bounds, on `keyturn / Fleet Rotation Requested`.
 */
export class RotationTriggers extends Construct {
  /** The rotation schedule of each issuer, by issuer id. */
  public readonly rotationSchedules: ReadonlyMap<string, scheduler.Schedule>;
  public readonly maintenanceSchedule: scheduler.Schedule;
  /** Rules for `mode: manual` and `mode: emergency` (which also requires `compromisedKid`). */
  public readonly manualRule: events.Rule;
  public readonly emergencyRule: events.Rule;
  /** Rule for a `keyturn / Fleet Rotation Requested` event: every issuer, within the fleet bounds. */
  public readonly fleetRule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationTriggersProps) {
    super(scope, id);
    const schedules = new Map<string, scheduler.Schedule>();
    for (const issuer of props.issuers) {
      schedules.set(
        issuer.id,
        new scheduler.Schedule(this, `Rotate-${issuer.id}`, {
          description: `keyturn: rotate the signing key of ${issuer.id} every ${issuer.intervalDays} days`,
          schedule: scheduler.ScheduleExpression.rate(Duration.days(issuer.intervalDays)),
          target: new schedulerTargets.StepFunctionsStartExecution(props.fleet, {
            input: scheduler.ScheduleTargetInput.fromObject({
              issuerIds: [issuer.id],
              mode: 'scheduled',
              maxConcurrency: 1,
              toleratedFailurePercentage: 0,
            }),
            retryAttempts: 3,
          }),
        }),
      );
    }
    this.rotationSchedules = schedules;
    this.maintenanceSchedule = new scheduler.Schedule(this, 'Maintain', {
      description: 'keyturn: hourly maintenance of every issuer (retire, destroy, republish, drift)',
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new schedulerTargets.StepFunctionsStartExecution(props.maintenance, {
        input: scheduler.ScheduleTargetInput.fromObject({
          issuerIds: props.issuers.map((issuer) => issuer.id),
        }),
        retryAttempts: 3,
      }),
    });
    const issuerIds = props.issuers.map((issuer) => issuer.id);
    this.manualRule = this.createRule('Manual', props.rotation, issuerIds, { mode: ['manual'] });
    this.emergencyRule = this.createRule('Emergency', props.rotation, issuerIds, {
      mode: ['emergency'],
      compromisedKid: [{ exists: true }],
    });
    this.fleetRule = new events.Rule(this, 'FleetRotation', {
      description: `keyturn: rotate every issuer on a ${ROTATION_EVENT.source} "${FLEET_ROTATION_DETAIL_TYPE}" event`,
      eventPattern: { source: [ROTATION_EVENT.source], detailType: [FLEET_ROTATION_DETAIL_TYPE] },
      targets: [
        new eventTargets.SfnStateMachine(props.fleet, {
          input: events.RuleTargetInput.fromObject({ issuerIds, mode: 'manual', ...props.fleetBounds }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }

  /**
   * A rule starting the rotation workflow; the event id becomes the rotation id (a lowercase UUID), so a
   * duplicate delivery of one event joins the same rotation instead of starting a second.
   */
  private createRule(
    id: 'Manual' | 'Emergency',
    rotation: sfn.IStateMachine,
    issuerIds: string[],
    detail: Record<string, unknown[]>,
  ): events.Rule {
    return new events.Rule(this, `${id}Rotation`, {
      description: `keyturn: start a ${id.toLowerCase()} rotation on a ${ROTATION_EVENT.source} "${ROTATION_EVENT.detailType}" event`,
      eventPattern: {
        source: [ROTATION_EVENT.source],
        detailType: [ROTATION_EVENT.detailType],
        detail: { issuerId: issuerIds, ...detail },
      },
      targets: [
        new eventTargets.SfnStateMachine(rotation, {
          input: events.RuleTargetInput.fromObject({
            issuerId: events.EventField.fromPath('$.detail.issuerId'),
            rotationId: events.EventField.eventId,
            mode: id.toLowerCase(),
            ...(id === 'Emergency'
              ? { compromisedKid: events.EventField.fromPath('$.detail.compromisedKid') }
              : {}),
          }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
  }
}
