import { describe, expect, it } from 'vitest';
import {
  fleetTimeoutSeconds,
  fleetWorstCaseSeconds,
  MAX_EXECUTION_SECONDS,
  maxFleetIssuers,
  rotationTimeoutSeconds,
} from '#infra/workflows/fleet-timeout.ts';
import { loadWorkflowDefinition } from '#infra/workflows/index.ts';
import { synthForSuite } from './synth-stack.ts';

/** 100 issuers, each with its own OIDC provider (a created one each would pass CloudFormation's 500 resources). */
const HUNDRED_ISSUERS = {
  issuers: Array.from({ length: 100 }, (_, index) => ({
    id: `cluster-${index}`,
    oidcProvider: {
      existingArn: `arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster-${index}`,
    },
  })),
};
const DEFAULT_CONCURRENCY = 2;

/** The TimeoutSeconds of the deployed fleet workflow. */
function deployedFleetTimeout(template: ReturnType<typeof synthForSuite>['template']): number {
  const [fleet] = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
    .filter(([id]) => id.startsWith('WorkflowsFleet'))
    .map(([, resource]) => JSON.parse(resource.Properties.DefinitionString) as { TimeoutSeconds: number });
  if (fleet === undefined) throw new Error('no fleet state machine');
  return fleet.TimeoutSeconds;
}

describe('the fleet workflow’s timeout (RECOVERABLE)', () => {
  const hundred = synthForSuite(HUNDRED_ISSUERS);
  const one = synthForSuite();

  it('lets a fleet of 100 issuers at the default concurrency finish, every child given its whole rotation timeout', () => {
    // Prepare
    const needed = fleetWorstCaseSeconds(100, DEFAULT_CONCURRENCY);

    // Act
    const timeout = deployedFleetTimeout(hundred.template);

    // Assess: 24 h (the old fixed timeout) stopped children after ~48 issuers.
    expect(needed).toBeGreaterThan(86_400);
    expect(timeout).toBeGreaterThanOrEqual(needed);
  });

  it('lets the same fleet finish one issuer at a time (a lower --max-concurrency than the config’s)', () => {
    expect(deployedFleetTimeout(hundred.template)).toBeGreaterThanOrEqual(fleetWorstCaseSeconds(100, 1));
    expect(deployedFleetTimeout(one.template)).toBeGreaterThanOrEqual(fleetWorstCaseSeconds(1, 1));
  });

  it('reads each child’s bound from the rotation workflow’s own TimeoutSeconds', () => {
    expect(rotationTimeoutSeconds()).toBe(loadWorkflowDefinition('rotation').TimeoutSeconds);
    expect(fleetTimeoutSeconds(1)).toBe(fleetTimeoutSeconds(1, rotationTimeoutSeconds()));
    expect(fleetTimeoutSeconds(1, 7200)).toBeLessThan(fleetTimeoutSeconds(1, 14_400));
  });

  it('names the limit: at most maxFleetIssuers() issuers fit in Step Functions’ one-year maximum', () => {
    // Prepare
    const limit = maxFleetIssuers();

    // Act
    const atLimit = fleetTimeoutSeconds(limit);
    const beyond = fleetTimeoutSeconds(limit + 1);

    // Assess
    expect(limit).toBeGreaterThanOrEqual(200); // the config's own cap on issuers
    expect(atLimit).toBeLessThanOrEqual(MAX_EXECUTION_SECONDS);
    expect(atLimit).toBeGreaterThanOrEqual(fleetWorstCaseSeconds(limit, 1));
    expect(beyond).toBe(MAX_EXECUTION_SECONDS);
    expect(fleetWorstCaseSeconds(limit + 1, 1)).toBeGreaterThan(MAX_EXECUTION_SECONDS - 3600);
    expect(maxFleetIssuers(14_400)).toBe(2102);
    expect(maxFleetIssuers(86_400)).toBe(362);
  });
});
