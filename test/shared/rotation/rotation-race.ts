/**
 * Tools for racing maintenance against a rotation (maintain-race.test.ts, publishing-order.test.ts): a
 * rotation driven step by step with a hook before each step, and ports that count their calls and can
 * pause before one of them.
 */
import type { RotationPorts } from '#shared/ports.ts';
import { maintainIssuer } from '#shared/rotation/index.ts';
import { callRotationStep, driveRotationTasks, type RotationRequest } from './drive-rotation.ts';
import { ISSUER_ID, type World } from './rotation-world.ts';

/** Called before each step of a drive (index, task name) and once more at its end (index = step count). */
export type BeforeStep = (index: number) => Promise<void>;

/**
 * Drives the rotation of `world` as the workflow does, an emergency followed by its maintenance, calling
 * `beforeStep` before the first call of each step; returns the steps' names.
 */
export async function driveSteps(
  world: World,
  request: RotationRequest,
  beforeStep: BeforeStep,
): Promise<string[]> {
  const steps: string[] = [];
  const enter = async (name: string) => {
    steps.push(name);
    await beforeStep(steps.length - 1);
  };
  await driveRotationTasks({
    run: async (task) => {
      if (steps.at(-1) !== task) await enter(task);
      return callRotationStep(task, world.ports, request);
    },
    clock: world.clock,
    maxPolls: 500,
    // Polls as far apart as the workflow's waits: fewer calls, the same steps.
    pollIntervalMs: 30_000,
  });
  if (request.mode === 'emergency') {
    await enter('maintain');
    await maintainIssuer(world.ports, { issuerId: ISSUER_ID });
  }
  await beforeStep(steps.length);
  return steps;
}

/**
 * Wraps every port (vault, store, publisher, cluster, audit) to record the name of each call and, just
 * before the `pauseBefore`-th (1-based; 0 never), to wait for `gap`.
 */
export function pausingPorts(
  ports: RotationPorts,
  pauseBefore: number,
  gap: () => Promise<void>,
): { ports: RotationPorts; calls: string[] } {
  const calls: string[] = [];
  const wrap = <P extends object>(name: string, port: P): P =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          calls.push(`${name}.${String(property)}`);
          if (calls.length === pauseBefore) await gap();
          return Reflect.apply(value, target, args);
        };
      },
    });
  const { vault, store, publisher, cluster, audit } = ports;
  return {
    calls,
    ports: {
      ...ports,
      vault: wrap('vault', vault),
      store: wrap('store', store),
      publisher: wrap('publisher', publisher),
      cluster: wrap('cluster', cluster),
      audit: wrap('audit', audit),
    },
  };
}
