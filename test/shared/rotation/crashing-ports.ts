import type { RotationPorts } from '#shared/ports.ts';

/** Thrown by {@link crashAfterSideEffects}: the process "died" right after a write took effect. */
export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}

/** A side effect the crash injector counts. */
export interface SideEffectLog {
  /** Names of the side effects performed so far (`store.update`, `cluster.push`...). */
  readonly performed: string[];
}

/**
 * Wraps ports so that the `crashAt`-th side effect (1-based) happens and then the call throws
 * SimulatedCrash, as if the process died before it could record the result. Reads never crash.
 * `crashAt` 0 never crashes and only counts, to learn how many side effects a run has.
 */
export function crashAfterSideEffects(ports: RotationPorts, crashAt: number): RotationPorts & SideEffectLog {
  const performed: string[] = [];
  const wrap = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) => {
    return async (...args: A): Promise<R> => {
      const result = await call(...args);
      performed.push(name);
      if (performed.length === crashAt) {
        throw new SimulatedCrash(`crash after ${name}`);
      }
      return result;
    };
  };
  const { vault, store, publisher, cluster } = ports;
  return {
    ...ports,
    performed,
    vault: {
      ...vault,
      open: (ref) => vault.open(ref),
      generate: wrap('vault.generate', (request) => vault.generate(request)),
      seal: wrap('vault.seal', (request) => vault.seal(request)),
      destroy: wrap('vault.destroy', (ref) => vault.destroy(ref)),
    },
    store: {
      ...store,
      read: (issuerId) => store.read(issuerId),
      list: () => store.list(),
      create: wrap('store.create', (keyring) => store.create(keyring)),
      update: wrap('store.update', (keyring, revision) => store.update(keyring, revision)),
    },
    publisher: {
      ...publisher,
      readPublic: (issuerUrl) => publisher.readPublic(issuerUrl),
      publish: wrap('publisher.publish', (issuerUrl, documents) => publisher.publish(issuerUrl, documents)),
      invalidate: wrap('publisher.invalidate', (issuerUrl) => publisher.invalidate(issuerUrl)),
    },
    cluster: {
      ...cluster,
      rolloutProgress: (kid) => cluster.rolloutProgress(kid),
      requestToken: (audience) => cluster.requestToken(audience),
      readKeys: () => cluster.readKeys(),
      push: wrap('cluster.push', (pair) => cluster.push(pair)),
      requestPoolReboot: wrap('cluster.requestPoolReboot', (pool, n) => cluster.requestPoolReboot(pool, n)),
      holdRotationGuard: wrap('cluster.holdRotationGuard', (op) => cluster.holdRotationGuard(op)),
      releaseRotationGuard: wrap('cluster.releaseRotationGuard', (op) => cluster.releaseRotationGuard(op)),
    },
  };
}
