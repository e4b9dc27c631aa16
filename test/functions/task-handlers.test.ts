import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskFailedError } from '#functions/task-errors.ts';
import { createTaskHandlers } from '#functions/task-handlers.ts';
import { activeKey, findKey } from '#shared/keyring/queries.ts';
import { RotationInProgressError, StepNotReadyError } from '#shared/rotation/index.ts';
import { type RotationTask, TASK_NAMES } from '#shared/workflow-tasks.ts';
import { driveRotationTasks } from '#test/shared/rotation/drive-rotation.ts';
import {
  createKeyPool,
  createWorld,
  ISSUER_ID,
  type KeyPool,
  type World,
} from '#test/shared/rotation/rotation-world.ts';
import {
  type CapturedOutput,
  captureStdout,
  createObservability,
  findFragment,
  privateMaterialOf,
} from './task-world.ts';

let pool: KeyPool;
let output: CapturedOutput;
beforeAll(async () => {
  pool = await createKeyPool(6);
});
beforeEach(() => {
  output = captureStdout();
});
afterEach(() => {
  output.restore();
});

/** Runs prepare → … → activate through the handlers, passing the accumulated state like the workflow. */
async function rotateThroughHandlers(
  world: World,
  rotationId: string,
  stopBefore?: RotationTask,
  start: Record<string, unknown> = {},
) {
  const { logger, metrics } = createObservability();
  const handlers = createTaskHandlers(() => world.ports, { logger, metrics });
  // The workflow state carries earlier results too; handlers must ignore what they do not read.
  let state: Record<string, unknown> = {
    issuerId: ISSUER_ID,
    rotationId,
    mode: 'manual',
    note: 'extra',
    ...start,
  };
  const results = await driveRotationTasks({
    run: async (task) => {
      const result = await handlers[task](state);
      state = { ...state, [task]: result };
      return result;
    },
    clock: world.clock,
    maxPolls: 500,
    ...(stopBefore === undefined ? {} : { stopBefore }),
  });
  return { handlers, results, state };
}

describe('createTaskHandlers', () => {
  it('exports one handler per task name', () => {
    // Act
    const handlers = createTaskHandlers(() => {
      throw new Error('not called');
    });

    // Assess
    expect(Object.keys(handlers).sort()).toEqual([...TASK_NAMES].sort());
    expect(TASK_NAMES).toHaveLength(14);
  });

  it('drives a whole rotation through the handlers alone, keeping every invariant', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const oldKid = activeKey(await world.keyring())?.kid;

    // Act
    const { results } = await rotateThroughHandlers(world, 'r1');

    // Assess
    const newKid = results.generate?.kid;
    const keyring = await world.keyring();
    expect(activeKey(keyring)?.kid).toBe(newKid);
    expect(findKey(keyring, oldKid)?.state).toBe('retired');
    expect(results.prepare).toMatchObject({ rotationId: 'r1', previousKid: oldKid, joined: false });
    expect(results.activate).toMatchObject({ kid: newKid, retiredKid: oldKid });
    expect(world.audit.every((entry) => entry.actor === 'test')).toBe(true);
    await world.check();
  });

  it('returns results and writes logs that carry no private key material', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    const { results } = await rotateThroughHandlers(world, 'r2');

    // Assess
    const fragments = await privateMaterialOf(world);
    expect(fragments.length).toBeGreaterThan(4);
    for (const [task, result] of Object.entries(results)) {
      expect({ task, found: findFragment(JSON.stringify(result), fragments) }).toEqual({
        task,
        found: undefined,
      });
    }
    expect(findFragment(output.raw.join(''), fragments)).toBeUndefined();
  });

  it('puts issuerId and rotationId on every log line and never logs the event', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    await rotateThroughHandlers(world, 'r3');

    // Assess
    const logs = output.logs();
    expect(logs.length).toBeGreaterThan(8);
    for (const line of logs) {
      expect(line).toMatchObject({ service: 'keyturn', issuerId: ISSUER_ID, rotationId: 'r3' });
      expect(line).not.toHaveProperty('event');
      expect(line).not.toHaveProperty('note');
    }
    expect(logs.map((line) => line.message)).toContain('step succeeded');
  });

  it('records StepOutcome and StepDuration per step, RotationDuration and RetiredKeyAge on activation', async () => {
    // Prepare
    const world = await createWorld({ pool });

    // Act
    await rotateThroughHandlers(world, 'r4');

    // Assess
    const blobs = output.metrics();
    const prepare = blobs.find((blob) => blob.step === 'prepare');
    expect(prepare).toMatchObject({ outcome: 'ok', StepOutcome: 1, StepDuration: expect.any(Number) });
    expect(JSON.stringify(prepare)).toContain('"Namespace":"keyturn"');
    const activate = blobs.find((blob) => blob.step === 'activate');
    expect(activate).toMatchObject({
      RotationDuration: expect.any(Number),
      RetiredKeyAge: expect.any(Number),
    });
    for (const blob of blobs) {
      expect(blob).toMatchObject({
        _aws: {
          CloudWatchMetrics: [
            { Namespace: 'keyturn', Dimensions: [expect.arrayContaining(['step', 'outcome'])] },
          ],
        },
      });
    }
  });

  it('runs maintenance with only issuerId in the event', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const { handlers } = await rotateThroughHandlers(world, 'r5');

    // Act
    const result = await handlers.maintain({ issuerId: ISSUER_ID, rotationId: 'r5', whatever: [1] });

    // Assess
    expect(result).toMatchObject({ removed: [], held: expect.any(Array), republished: expect.any(Boolean) });
    const lines = output.logs().filter((line) => line.step === 'maintain');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.issuerId).toBe(ISSUER_ID);
  });

  it('emits ActiveKeyAge and PublicJwksReachable per issuer from maintenance, apart from the step dimensions', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const handlers = createTaskHandlers(() => world.ports, createObservability());
    const generatedAt = Date.parse(activeKey(await world.keyring())?.generatedAt ?? '');

    // Act
    await handlers.maintain({ issuerId: ISSUER_ID });

    // Assess
    const health = output.metrics().filter((blob) => blob.IssuerId === ISSUER_ID);
    expect(health).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'keyturn',
              Dimensions: [['service', 'IssuerId']],
              Metrics: [{ Name: 'ActiveKeyAge', Unit: 'Seconds' }],
            },
          ],
        },
        service: 'keyturn',
        IssuerId: ISSUER_ID,
        ActiveKeyAge: Math.round((world.clock.now().getTime() - generatedAt) / 1000),
      },
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'keyturn',
              Dimensions: [['service', 'IssuerId']],
              Metrics: [{ Name: 'PublicJwksReachable', Unit: 'Count' }],
            },
          ],
        },
        service: 'keyturn',
        IssuerId: ISSUER_ID,
        PublicJwksReachable: 1,
      },
    ]);
    const step = output.metrics().find((blob) => blob.step === 'maintain');
    expect(step).toMatchObject({ outcome: 'ok', StepOutcome: 1 });
    expect(step).not.toHaveProperty('IssuerId');
  });

  it('emits PublicJwksReachable 0 when maintenance cannot read the public keys.json', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const handlers = createTaskHandlers(() => world.ports, createObservability());
    world.publisher.setUnreachable(true);

    // Act
    const result = await handlers.maintain({ issuerId: ISSUER_ID });

    // Assess
    expect(result).toMatchObject({ publicJwksReachable: false, publicJwksError: 'ERR_ISSUER_FETCH' });
    const reachability = output.metrics().filter((blob) => 'PublicJwksReachable' in blob);
    expect(reachability).toEqual([expect.objectContaining({ IssuerId: ISSUER_ID, PublicJwksReachable: 0 })]);
    world.publisher.setUnreachable(false);
    await world.check();
  });

  it('asks the ports provider for the ports of the event issuer', async () => {
    // Prepare
    const asked: string[] = [];
    const handlers = createTaskHandlers((issuerId) => {
      asked.push(issuerId);
      throw new StepNotReadyError('ERR_STEP_NOT_READY', 'no ports in this test');
    }, createObservability());

    // Act
    await handlers.maintain({ issuerId: 'cluster-b' }).catch(() => undefined);
    await handlers.verify({ issuerId: 'cluster-c', rotationId: 'r1' }).catch(() => undefined);

    // Assess
    expect(asked).toEqual(['cluster-b', 'cluster-c']);
  });

  it('runs an emergency rotation and retires the compromised key at the next maintenance', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const compromisedKid = activeKey(await world.keyring())?.kid;

    // Act
    const { handlers, results } = await rotateThroughHandlers(world, 'r7', undefined, {
      mode: 'emergency',
      compromisedKid,
      leadTimeSeconds: 5,
    });
    const maintained = await handlers.maintain({ issuerId: ISSUER_ID });

    // Assess
    expect(results.prepare).toMatchObject({ leadTimeSeconds: 5 });
    expect(maintained).toMatchObject({ removed: [compromisedKid] });
    await world.check();
  });

  it('rolls back with a short reason made from a Step Functions Catch object', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const { handlers, results } = await rotateThroughHandlers(world, 'r6', 'verify');
    const cause = JSON.stringify({
      errorType: 'VerificationFailedError',
      errorMessage: `token did not verify ${'x'.repeat(400)}`,
      trace: ['at verifyRotation (verify.ts:1:1)'],
    });

    // Act
    const result = await handlers.rollback({
      issuerId: ISSUER_ID,
      rotationId: 'r6',
      reason: { Error: 'VerificationFailedError', Cause: cause },
    });

    // Assess
    const newKid = results.generate?.kid;
    expect(result).toMatchObject({ failedKid: newKid, pushedBack: true });
    const failure = findKey(await world.keyring(), newKid)?.failure ?? '';
    expect(failure).toMatch(/^VerificationFailedError: token did not verify x+$/);
    expect(failure.length).toBe('VerificationFailedError: '.length + 200);
    await world.check();
  });
});

describe('task errors', () => {
  it('lets a KeyturnError out unchanged so Retry and Catch can match its name', async () => {
    // Prepare
    const notReady = new StepNotReadyError('ERR_STEP_NOT_READY', 'not yet');
    const handlers = createTaskHandlers(() => {
      throw notReady;
    }, createObservability());

    // Act
    const error = await handlers.verify({ issuerId: ISSUER_ID, rotationId: 'r1' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(notReady);
    expect(error).toMatchObject({ name: 'StepNotReadyError', code: 'ERR_STEP_NOT_READY' });
  });

  it('rejects a second rotation with RotationInProgressError from the step itself', async () => {
    // Prepare
    const world = await createWorld({ pool });
    const handlers = createTaskHandlers(() => world.ports, createObservability());
    await handlers.prepare({ issuerId: ISSUER_ID, rotationId: 'a', mode: 'manual' });

    // Act
    const error = await handlers
      .prepare({ issuerId: ISSUER_ID, rotationId: 'b', mode: 'manual' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RotationInProgressError);
    expect(error).toMatchObject({ name: 'RotationInProgressError', code: 'ERR_ROTATION_IN_PROGRESS' });
    const failed = output.logs().find((line) => line.message === 'step failed');
    expect(failed).toMatchObject({ issuerId: ISSUER_ID, rotationId: 'b', level: 'ERROR' });
  });

  it('wraps any other error into TaskFailedError without its message, keeping it as cause', async () => {
    // Prepare
    const original = new TypeError('request body had sha256~secret-token');
    const handlers = createTaskHandlers(() => {
      throw original;
    }, createObservability());

    // Act
    const error = await handlers.push({ issuerId: ISSUER_ID, rotationId: 'r1' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error).toMatchObject({ name: 'TaskFailedError', code: 'ERR_TASK_FAILED', cause: original });
    expect((error as Error).message).not.toContain('secret-token');
    expect(output.raw.join('')).not.toContain('secret-token');
    expect(output.logs().find((line) => line.message === 'step failed')).toMatchObject({
      causeName: 'TypeError',
      error: { name: 'TaskFailedError', code: 'ERR_TASK_FAILED' },
      issuerId: ISSUER_ID,
      rotationId: 'r1',
    });
  });

  it('logs a failed step without the key material or token its message quotes (SEALED)', async () => {
    // Prepare
    const token = 'sha256~Q2hlY2tpbmdUaGVSZWRhY3Rpb25PZkFUb2tlbjEyMzQ1';
    const failure = new RotationInProgressError('ERR_ROTATION_IN_PROGRESS', `the cluster said ${token}`);
    const handlers = createTaskHandlers(() => {
      throw failure;
    }, createObservability());

    // Act
    await handlers.push({ issuerId: ISSUER_ID, rotationId: 'r1' }).catch(() => undefined);

    // Assess
    expect(output.raw.join('')).not.toContain(token);
    expect(output.logs().find((line) => line.message === 'step failed')).toMatchObject({
      error: { code: 'ERR_ROTATION_IN_PROGRESS', message: 'the cluster said [redacted]' },
    });
  });

  it('works with a partial Lambda context and logs its request id', async () => {
    // Prepare
    const getPorts = vi.fn(() => {
      throw new StepNotReadyError('ERR_STEP_NOT_READY', 'not yet');
    });
    const handlers = createTaskHandlers(getPorts, createObservability());

    // Act
    await handlers
      .generate({ issuerId: ISSUER_ID, rotationId: 'r1' }, { awsRequestId: 'req-1' })
      .catch(() => 0);

    // Assess
    expect(output.logs()[0]).toMatchObject({
      function_request_id: 'req-1',
      function_name: 'keyturn-generate',
    });
  });
});
