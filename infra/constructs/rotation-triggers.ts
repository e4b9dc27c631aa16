import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
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
  /**
   * The IAM roles and users that may send rotation requests to the bus; every other principal is denied
   * `events:PutEvents` on it, whatever its own IAM policy allows. Empty: nobody may.
   */
  readonly requesterArns: readonly string[];
}

/** The name of keyturn's rotation-request bus: `<stack>-rotation-requests`. */
export function rotationBusName(stackName: string): string {
  return `${stackName}-rotation-requests`;
}

/**
 * What starts keyturn's workflows: an EventBridge Scheduler schedule per issuer (through the fleet
 * workflow, which names each rotation execution `<issuer>--<rotation id>`), an hourly maintenance of
 * every issuer, and, on keyturn's own event bus (never the default bus, where any principal allowed
 * `events:PutEvents` could ask for an emergency rotation), rules that start a manual or emergency
 * rotation when a `keyturn / Rotation Requested` event names a configured issuer (anything else never
 * matches), and one that rotates the whole fleet, within its bounds, on
 * `keyturn / Fleet Rotation Requested`. The bus's resource policy lets only `requesterArns` send to it.
 */
export class RotationTriggers extends Construct {
  /** The bus the rotation-request rules listen on (`<stack>-rotation-requests`). */
  public readonly bus: events.EventBus;
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
    this.bus = this.createBus(props.requesterArns);
    const issuerIds = props.issuers.map((issuer) => issuer.id);
    // Strict: a request carrying a field its rule would silently drop (a lead time, a compromised key in a
    // manual request) matches nothing, rather than run as something the sender did not ask for.
    this.manualRule = this.createRule('Manual', props.rotation, issuerIds, {
      mode: ['manual'],
      ...absent('compromisedKid', 'leadTimeSeconds', 'rotationId'),
    });
    this.emergencyRule = this.createRule('Emergency', props.rotation, issuerIds, {
      mode: ['emergency'],
      compromisedKid: [{ exists: true }],
      ...absent('leadTimeSeconds', 'rotationId'),
    });
    this.fleetRule = new events.Rule(this, 'FleetRotation', {
      description: `keyturn: rotate every issuer on a ${ROTATION_EVENT.source} "${FLEET_ROTATION_DETAIL_TYPE}" event`,
      eventBus: this.bus,
      eventPattern: {
        source: [ROTATION_EVENT.source],
        detailType: [FLEET_ROTATION_DETAIL_TYPE],
        detail: absent('issuerIds', 'mode', 'maxConcurrency', 'toleratedFailurePercentage'),
      },
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
      eventBus: this.bus,
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

  /**
   * `<stack>-rotation-requests`, whose policy allows `events:PutEvents` to the requesters (so a role of
   * another account can be one) and denies it to every other principal of any account, this account's
   * administrators included: an identity policy allowing `events:PutEvents` on `*` does not reach it.
   * The policy is the bus's own `Policy` (one resource, no AWS::Events::EventBusPolicy per statement), so
   * it names the bus by its ARN built from the name.
   */
  private createBus(requesterArns: readonly string[]): events.EventBus {
    const stack = Stack.of(this);
    const name = rotationBusName(stack.stackName);
    const bus = new events.EventBus(this, 'RotationRequests', {
      eventBusName: name,
      description: 'keyturn: rotation requests (Rotation Requested, Fleet Rotation Requested)',
    });
    const putEvents = {
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: name })],
    };
    const statements = [
      ...(requesterArns.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              sid: 'RotationRequesters',
              principals: requesterArns.map((arn) => new iam.ArnPrincipal(arn)),
              ...putEvents,
            }),
          ]),
      new iam.PolicyStatement({
        sid: 'NobodyElse',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        ...putEvents,
        ...(requesterArns.length === 0
          ? {}
          : { conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...requesterArns] } } }),
      }),
    ];
    (bus.node.defaultChild as events.CfnEventBus).policy = new iam.PolicyDocument({ statements });
    return bus;
  }
}

/** An event-pattern fragment matching only events whose detail lacks every one of `fields`. */
function absent(...fields: string[]): Record<string, unknown[]> {
  return Object.fromEntries(fields.map((field) => [field, [{ exists: false }]]));
}
