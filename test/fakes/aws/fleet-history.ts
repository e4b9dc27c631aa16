/**
 * Scripted executions of the fleet workflow (infra/workflows/fleet.asl.json) for the fake Step Functions:
 * a Distributed Map over `issuerIds` that runs at most `maxConcurrency` rotations at once, one wave per
 * poll, and fails (States.ExceedToleratedFailureThreshold) as soon as more items failed than
 * `toleratedFailurePercentage` allows, aborting the running items and never starting the pending ones.
 */

import type { ScriptStep } from './fake-sfn.ts';
import type { MapRunItemChange, MapRunStep } from './fake-sfn-map-runs.ts';
import { entered, exited, succeeded } from './sfn-history.ts';

/** How one issuer's rotation ends in a scripted fleet. */
export type FleetItemOutcome = 'SUCCEEDED' | 'FAILED';

/** The rotation id the fleet gives issuer number `index` (States.UUID in the real workflow). */
export function fleetRotationId(index: number): string {
  return `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

/** What a failed rotation ends with (as rotation-history.ts's rolled-back rotation). */
export const ROLLED_BACK = {
  error: 'RotationRolledBack',
  cause: 'The rotation failed after prepare and was rolled back: the previous key is active again.',
} as const;

const THRESHOLD = {
  error: 'States.ExceedToleratedFailureThreshold',
  cause: 'The specified tolerated failure threshold was exceeded',
} as const;

type FleetItem = { readonly issuerId: string; readonly rotationId: string; readonly mode: unknown };

/** The map-run change of item `index`, with its nested rotation execution. */
function itemChanger(rotationStateMachineArn: string, items: readonly FleetItem[]) {
  return (index: number, status: MapRunItemChange['status']): MapRunItemChange => {
    const item = items[index] ?? { issuerId: '?', rotationId: '?', mode: undefined };
    const nested = {
      stateMachineArn: rotationStateMachineArn,
      name: `${item.issuerId}--${item.rotationId}`,
      input: { issuerId: item.issuerId, rotationId: item.rotationId, mode: item.mode },
    };
    const failed = status === 'FAILED' ? ROLLED_BACK : {};
    return {
      index,
      status,
      ...(status === 'FAILED'
        ? { error: 'States.TaskFailed', cause: JSON.stringify({ ...ROLLED_BACK }) }
        : {}),
      nested: { ...nested, status, ...failed },
    };
  };
}

/**
 * The fleet workflow's script, a function of its input: each issuer's rotation ends as `outcomes` says
 * (SUCCEEDED unless named), each nested rotation execution `<issuer>--<rotation id>` of
 * `rotationStateMachineArn` included.
 */
export function fleetRotation(
  rotationStateMachineArn: string,
  outcomes: Readonly<Record<string, FleetItemOutcome>> = {},
) {
  return (input: Record<string, unknown>): ScriptStep[][] => {
    const issuerIds = input.issuerIds as string[];
    const concurrency = Number(input.maxConcurrency);
    const tolerated = Number(input.toleratedFailurePercentage);
    const items: FleetItem[] = issuerIds.map((issuerId, index) => ({
      issuerId,
      mode: input.mode,
      rotationId: fleetRotationId(index),
    }));
    const change = itemChanger(rotationStateMachineArn, items);
    const start: MapRunStep = {
      mapRun: 'start',
      label: 'RotateEachIssuer',
      items,
      maxConcurrency: concurrency,
      toleratedFailurePercentage: tolerated,
    };
    const batches: ScriptStep[][] = [
      [
        entered('Map', 'RotateEachIssuer', input),
        { type: 'MapStateStarted', details: { length: items.length } },
        start,
      ],
    ];
    const tally = { failures: 0, results: [] as unknown[] };
    const overThreshold = () => (tally.failures * 100) / items.length > tolerated;
    const rotationArn = (name: string | undefined) =>
      `${rotationStateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    // The wave's items end in order; once too many failed, the rest of the wave is aborted.
    const endItem = (index: number): MapRunItemChange => {
      if (overThreshold()) return change(index, 'ABORTED');
      const item = change(index, outcomes[items[index]?.issuerId ?? ''] ?? 'SUCCEEDED');
      if (item.status === 'FAILED') tally.failures += 1;
      tally.results[index] =
        item.status === 'SUCCEEDED'
          ? { executionArn: rotationArn(item.nested?.name), status: 'SUCCEEDED' }
          : { Error: item.error, Cause: item.cause };
      return item;
    };
    let running: number[] = [];
    let next = 0;
    for (;;) {
      const ended = running.map(endItem);
      if (overThreshold()) {
        batches.push([
          { mapRun: 'items', changes: ended },
          { mapRun: 'end', status: 'FAILED', ...THRESHOLD },
          { type: 'MapStateFailed' },
          { type: 'ExecutionFailed', details: { ...THRESHOLD } },
        ]);
        return batches;
      }
      running = [];
      while (running.length < concurrency && next < items.length) running.push(next++);
      if (running.length === 0) {
        const output = { ...input, results: tally.results };
        batches.push([
          { mapRun: 'items', changes: ended },
          { mapRun: 'end', status: 'SUCCEEDED' },
          { type: 'MapStateSucceeded' },
          exited('Map', 'RotateEachIssuer', output),
          ...succeeded('FleetRotated', output),
        ]);
        return batches;
      }
      batches.push([
        { mapRun: 'items', changes: [...ended, ...running.map((index) => change(index, 'RUNNING'))] },
      ]);
    }
  };
}
