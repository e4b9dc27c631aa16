/**
 * Scripted executions of the maintenance workflow (infra/workflows/maintenance.asl.json) for the fake Step
 * Functions: an inline Map over `issuerIds`, one issuer per poll, each item the maintain result or, when
 * its Lambda failed, the caught `{issuerId, failed: true, error}`.
 */
import type { MaintainResult } from '#shared/rotation/index.ts';
import type { ScriptStep } from './fake-sfn.ts';
import { type EventSpec, entered, exited, lambdaFailed, lambdaSucceeded, succeeded } from './sfn-history.ts';

/** A maintain result with nothing to do: no key due, keys.json in place, no drift. */
export const NOTHING_TO_DO: MaintainResult = {
  removed: [],
  held: [],
  destroyed: [],
  republished: false,
  publicJwksReachable: true,
  drift: { unpublishedTrustedKids: [], removedTrustedKids: [] },
};

/** An issuer whose maintain Lambda throws `error` with `message` (caught per item by the workflow). */
export interface MaintainFailure {
  readonly error: string;
  readonly message: string;
}

const iteration = (type: string, index: number): EventSpec => ({
  type,
  details: { name: 'MaintainEachIssuer', index },
});

/**
 * The maintenance workflow's script, a function of its input: each issuer's item ends with
 * `outcomes[issuerId]` (a maintain result, or a failure), {@link NOTHING_TO_DO} unless named.
 */
export function maintenanceRun(outcomes: Readonly<Record<string, MaintainResult | MaintainFailure>> = {}) {
  return (input: Record<string, unknown>): ScriptStep[][] => {
    const issuerIds = input.issuerIds as string[];
    const results: unknown[] = [];
    const batches: ScriptStep[][] = [
      [
        entered('Map', 'MaintainEachIssuer', input),
        { type: 'MapStateStarted', details: { length: issuerIds.length } },
      ],
    ];
    issuerIds.forEach((issuerId, index) => {
      const outcome = outcomes[issuerId] ?? NOTHING_TO_DO;
      const steps: EventSpec[] = [
        iteration('MapIterationStarted', index),
        entered('Task', 'MaintainIssuer', { issuerId }),
      ];
      if ('error' in outcome) {
        const [, , failedEvent] = lambdaFailed(outcome.error, outcome.message);
        const error = { Error: outcome.error, Cause: String(failedEvent?.details?.cause) };
        results[index] = { issuerId, failed: true, error };
        steps.push(
          ...lambdaFailed(outcome.error, outcome.message),
          entered('Pass', 'IssuerFailed', { issuerId, error }),
          exited('Pass', 'IssuerFailed', results[index]),
        );
      } else {
        results[index] = { issuerId, maintain: outcome };
        steps.push(...lambdaSucceeded(outcome), exited('Task', 'MaintainIssuer', results[index]));
      }
      batches.push([...steps, iteration('MapIterationSucceeded', index)]);
    });
    const output = { ...input, results };
    batches.push([
      { type: 'MapStateSucceeded' },
      exited('Map', 'MaintainEachIssuer', output),
      ...succeeded('Maintained', output),
    ]);
    return batches;
  };
}
