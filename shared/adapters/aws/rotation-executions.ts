import type { SFNClient } from '@aws-sdk/client-sfn';
import { isJsonObject } from '../../json.ts';
import { ExecutionError } from './execution-errors.ts';
import { type StartedExecution, startOrJoinExecution } from './executions.ts';

/** The input of the rotation workflow (infra/workflows/rotation.asl.json): ids and the mode, never keys. */
export interface RotationExecutionInput {
  readonly issuerId: string;
  readonly rotationId: string;
  readonly mode: 'scheduled' | 'manual' | 'emergency';
  /** The active kid to remove once the new key works (emergency mode). */
  readonly compromisedKid?: string;
  /** Overrides the policy's lead time for this rotation. */
  readonly leadTimeSeconds?: number;
  /** `wait` for `--emergency KID --no-reboot` (an emergency reboots the nodes by default). */
  readonly tokenRefresh?: 'wait' | 'reboot';
}

/** Options of {@link startRotationExecution}. */
export interface StartRotationOptions {
  /** The stack's `RotationStateMachineArn`. */
  readonly stateMachineArn: string;
  readonly input: RotationExecutionInput;
  /** @default the process's Step Functions client (clients.ts) */
  readonly sfn?: SFNClient;
}

/** Step Functions execution names: 1 to 80 characters (Standard workflows). */
const MAX_EXECUTION_NAME = 80;

/**
 * `<issuerId>--<rotationId>`: one rotation, one execution. Step Functions refuses a second execution of
 * the same name, which makes a repeated start the same rotation (ONE-SIGNER, RETRY-SAFE).
 */
export function executionNameOf(issuerId: string, rotationId: string): string {
  const name = `${issuerId}--${rotationId}`;
  if (name.length > MAX_EXECUTION_NAME) {
    throw new ExecutionError(
      'ERR_EXECUTION_NAME',
      `execution name ${name} is ${name.length} characters; Step Functions allows ${MAX_EXECUTION_NAME}: use a shorter rotation id`,
    );
  }
  return name;
}

/**
 * Starts one rotation: StartExecution named {@link executionNameOf}, unless DescribeExecution finds that
 * execution already (a rotation id given again, to follow it). Should another start win the race in
 * between, Step Functions answers ExecutionAlreadyExists (or, for the same input, that execution): either
 * way the rotation exists already, and this joins it.
 */
export async function startRotationExecution(options: StartRotationOptions): Promise<StartedExecution> {
  const { input } = options;
  return await startOrJoinExecution({
    stateMachineArn: options.stateMachineArn,
    name: executionNameOf(input.issuerId, input.rotationId),
    input,
    workflow: 'rotation',
    ...(options.sfn === undefined ? {} : { sfn: options.sfn }),
  });
}

/** What a succeeded rotation reports in its output: the new kid and the key it retired. */
export interface RotationOutcome {
  readonly newKid?: string;
  readonly retiredKid?: string;
  /** When the retired key leaves keys.json (ISO time). */
  readonly removeAfter?: string;
}

/** Reads the rotation workflow's output (`$.generate.kid`, `$.activate.retiredKid`/`removeAfter`). */
export function rotationOutcomeOf(output: unknown): RotationOutcome {
  const state = isJsonObject(output) ? output : {};
  const generate = isJsonObject(state.generate) ? state.generate : {};
  const activate = isJsonObject(state.activate) ? state.activate : {};
  // After the token refresh phase (tokenRefresh reboot) the retired key is due at once: $.finish says when.
  const finish = isJsonObject(state.finish) ? state.finish : {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const newKid = text(activate.kid) ?? text(generate.kid);
  const retiredKid = text(activate.retiredKid);
  const removeAfter = text(finish.removeAfter) ?? text(activate.removeAfter);
  return {
    ...(newKid === undefined ? {} : { newKid }),
    ...(retiredKid === undefined ? {} : { retiredKid }),
    ...(removeAfter === undefined ? {} : { removeAfter }),
  };
}
