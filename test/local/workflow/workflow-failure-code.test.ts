import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '#cli/exit-codes.ts';
import {
  createLocalWorkflowRunner,
  type LocalTaskHandlers,
  WorkflowFailedError,
} from '#local/workflow/local-workflow-runner.ts';
import { ClusterApiCallError } from '#shared/port-errors.ts';
import { VerificationFailedError } from '#shared/rotation/errors.ts';
import { taskResource } from '#shared/workflow-tasks.ts';

/** A Push that a Catch sends to a Fail state, as the rotation workflow's rollback path does. */
const rollingBack = {
  StartAt: 'Push',
  States: {
    Push: {
      Type: 'Task',
      Resource: taskResource('push'),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RotationRolledBack' }],
      End: true,
    },
    RotationRolledBack: { Type: 'Fail', Error: 'RotationRolledBack', Cause: 'rolled back' },
  },
};

async function failureOf(definition: object, error: Error): Promise<WorkflowFailedError> {
  const handlers = {
    push: async () => {
      throw error;
    },
  } as unknown as LocalTaskHandlers;
  const runner = createLocalWorkflowRunner({ definition, handlers });
  const failure = await runner.run({}).catch((caught: unknown) => caught);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  return failure as WorkflowFailedError;
}

describe('WorkflowFailedError', () => {
  it('carries the code of the error a Catch caught before the rollback, and exits as it would', async () => {
    // Prepare
    const down = new ClusterApiCallError('ERR_CLUSTER_UNAVAILABLE', 'the cluster is down', {
      method: 'PATCH',
      resource: 'secrets/next-bound-service-account-signing-key',
    });

    // Act
    const failure = await failureOf(rollingBack, down);

    // Assess
    expect(failure).toMatchObject({
      code: 'ERR_WORKFLOW_FAILED',
      error: 'RotationRolledBack',
      failedCode: 'ERR_CLUSTER_UNAVAILABLE',
    });
    expect(failure.message).toMatch(/rolled back.*run keyturn status.*run the same command again/);
    expect(exitCodeFor(failure)).toBe(3);
  });

  it('carries the code of an error that escaped a state, and a rejection exits 1', async () => {
    // Prepare
    const escaping = {
      StartAt: 'Push',
      States: { Push: { Type: 'Task', Resource: taskResource('push'), End: true } },
    };

    // Act
    const failure = await failureOf(
      escaping,
      new VerificationFailedError('ERR_VERIFICATION_FAILED', 'STS said no'),
    );

    // Assess
    expect(failure).toMatchObject({
      error: 'VerificationFailedError',
      failedCode: 'ERR_VERIFICATION_FAILED',
    });
    expect(failure.message).toMatch(/run the same command again/);
    expect(exitCodeFor(failure)).toBe(1);
  });

  it('has no failed code when the failing error is not a keyturn error, and still exits 1', async () => {
    const failure = await failureOf(rollingBack, new TypeError('a bug in a handler'));

    expect(failure.failedCode).toBeUndefined();
    expect(exitCodeFor(failure)).toBe(1);
  });
});
