import type { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import type { MaintainResult, MaintenanceOutcome } from '../../rotation/maintain.ts';
import { readableCause } from './execution-history.ts';
import { type StartedExecution, startOrJoinExecution } from './executions.ts';
import { type FollowExecutionOptions, type FollowOutcome, followExecution } from './follow-execution.ts';

/** `maintain--<runId>`: the CLI's maintenance runs, told apart from the scheduler's by name. */
export function maintenanceExecutionNameOf(runId: string): string {
  return `maintain--${runId}`;
}

/**
 * Starts (or joins) maintenance run `runId` of the stack's maintenance workflow for `issuerIds`; the input
 * carries `publishDrift: true` only when asked (the scheduler's input has none; the workflow defaults it).
 */
export function startMaintenanceExecution(options: {
  /** The stack's `MaintenanceStateMachineArn`. */
  readonly stateMachineArn: string;
  readonly runId: string;
  readonly issuerIds: readonly string[];
  /** Repair drift: the workflow publishes the key each cluster signs with (adopt-drift). @default false */
  readonly publishDrift?: boolean;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}): Promise<StartedExecution> {
  return startOrJoinExecution({
    stateMachineArn: options.stateMachineArn,
    name: maintenanceExecutionNameOf(options.runId),
    input: { issuerIds: options.issuerIds, ...(options.publishDrift === true ? { publishDrift: true } : {}) },
    workflow: 'maintenance',
    ...(options.sfn === undefined ? {} : { sfn: options.sfn }),
  });
}

const ITERATION_ENDS = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);

/**
 * Follows a maintenance execution (followExecution) and reports each issuer finished: the inline Map's
 * `MapIterationSucceeded/Failed/Aborted` events, counted. Whether an issuer's maintenance failed is in the
 * output (the workflow catches it per item), see {@link maintenanceOutcomesOf}.
 */
export function followMaintenanceExecution(
  options: Omit<FollowExecutionOptions, 'onHistoryEvent' | 'afterRead'> & {
    /** Called each time one more issuer is done, with how many are. */
    readonly onIssuerDone?: (done: number) => void;
  },
): Promise<FollowOutcome> {
  let done = 0;
  return followExecution({
    ...options,
    onHistoryEvent: (event) => {
      if (ITERATION_ENDS.has(String(event.type))) options.onIssuerDone?.(++done);
    },
  });
}

const kids = z.array(z.string());
const maintainResult = z.object({
  removed: kids,
  held: kids,
  destroyed: kids,
  republished: z.boolean(),
  publicJwksReachable: z.boolean(),
  publicJwksError: z.string().optional(),
  activeKeyAgeSeconds: z.number().optional(),
  drift: z.object({
    unpublishedSigningKid: z.string().optional(),
    unpublishedTrustedKids: kids,
    // A Lambda deployed before keyturn told its own removed keys apart reports none.
    removedTrustedKids: kids.default([]),
  }),
  adoptedKid: z.string().optional(),
  recordedTrustedKids: kids.optional(),
});
const itemResult = z.object({
  issuerId: z.string().optional(),
  maintain: z.unknown().optional(),
  failed: z.boolean().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
const output = z.object({ results: z.array(z.unknown()) });

/**
 * Reads the maintenance workflow's output (`$.results[*]`, in the order of `issuerIds`): each issuer's
 * maintain result, or `{issuerId, failed: true, error: {Error, Cause}}` (a Lambda Cause loses its stack
 * trace). An item that holds neither is reported as failed with `MalformedResult`.
 */
export function maintenanceOutcomesOf(value: unknown, issuerIds: readonly string[]): MaintenanceOutcome[] {
  const results = output.safeParse(value).data?.results ?? [];
  return results.map((result, index): MaintenanceOutcome => {
    const item = itemResult.safeParse(result).data;
    const issuerId = item?.issuerId ?? issuerIds[index] ?? '?';
    const maintain = maintainResult.safeParse(item?.maintain).data as MaintainResult | undefined;
    if (item?.failed !== true && maintain !== undefined) return { issuerId, maintain };
    if (item?.failed !== true) {
      return {
        issuerId,
        failed: true,
        error: 'MalformedResult',
        cause: 'the workflow output is not a maintain result',
      };
    }
    return {
      issuerId,
      failed: true,
      error: item.error?.Error ?? 'Error',
      cause: readableCause(item.error?.Cause).cause,
    };
  });
}
