import { setTimeout as sleepFor } from 'node:timers/promises';
import { InjectedApiFailureError, type InjectedFailureReason } from './errors.ts';

/**
 * API-level faults of the simulated cluster. The model itself never consults them: whoever stands at the
 * API boundary does, once per request (the HTTP server per HTTP request, the in-process signer per
 * request a real client would make). Node faults (a stuck node) live on the model, because they change
 * how simulated time plays out.
 */
export interface ApiFaults {
  /** Makes the next `count` API calls fail with `reason`. Adds to failures already pending. */
  failNextCalls(count: number, reason?: InjectedFailureReason): void;
  /**
   * Makes a steady fraction of API calls fail with `reason` (0.1: every tenth call), deterministically,
   * after any pending `failNextCalls` failures. 0 turns it off.
   */
  setFailureRate(rate: number, reason?: InjectedFailureReason): void;
  /** Delays every API call by `ms` milliseconds of real time (0 turns it off). */
  setApiDelay(ms: number): void;
  /** Failures still pending. */
  readonly pendingFailures: number;
  /** The current per-call delay in milliseconds. */
  readonly apiDelayMs: number;
  /**
   * Admits one API call: awaits the delay, then throws InjectedApiFailureError if a failure is pending.
   * `call` names the request in the error (`PUT secrets/next-bound-service-account-signing-key`).
   */
  admitApiCall(call: string): Promise<void>;
  /** Clears pending failures and the delay. */
  clear(): void;
}

/** How API delays are waited for; tests inject one to avoid real waiting. */
export type Sleep = (ms: number) => Promise<void>;

/** Creates the API faults of one cluster. `sleep` defaults to a real timer. */
export function createApiFaults(sleep: Sleep = (ms) => sleepFor(ms)): ApiFaults {
  const pending: InjectedFailureReason[] = [];
  let delayMs = 0;
  let rate = 0;
  let rateReason: InjectedFailureReason = 'InternalError';
  let owed = 0;
  return {
    failNextCalls(count, reason = 'InternalError') {
      assertCount(count, 'failure count');
      pending.push(...Array.from({ length: count }, () => reason));
    },
    setFailureRate(fraction, reason = 'InternalError') {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new RangeError(`failure rate must be between 0 and 1, got ${fraction}`);
      }
      rate = fraction;
      rateReason = reason;
      owed = 0;
    },
    setApiDelay(ms) {
      assertCount(ms, 'API delay');
      delayMs = ms;
    },
    get pendingFailures() {
      return pending.length;
    },
    get apiDelayMs() {
      return delayMs;
    },
    async admitApiCall(call) {
      if (delayMs > 0) {
        await sleep(delayMs);
      }
      const reason = pending.shift() ?? rateFailure();
      if (reason !== undefined) {
        throw new InjectedApiFailureError(reason, call);
      }
    },
    clear() {
      pending.length = 0;
      delayMs = 0;
      rate = 0;
    },
  };

  /** Accumulates the rate per call; a failure falls due each time a whole call is owed. */
  function rateFailure(): InjectedFailureReason | undefined {
    owed += rate;
    if (rate === 0 || owed < 1) {
      return undefined;
    }
    owed -= 1;
    return rateReason;
  }
}

function assertCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number ≥ 0, got ${value}`);
  }
}
