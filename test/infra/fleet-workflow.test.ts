import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_FILES } from '#infra/workflows/index.ts';
import { ROTATION_ID_PATTERN } from '#shared/identifiers.ts';

type AslValidator = (
  definition: object,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: unknown[] };
const validate = createRequire(import.meta.url)('asl-validator') as AslValidator;
const ROTATION_ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Keyturn-Rotation';

/** The fleet ASL with its one substitution made, as Step Functions receives it. */
function fleetDefinition(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(WORKFLOW_FILES.fleet, 'utf8').replaceAll(`$\{RotationStateMachineArn}`, ROTATION_ARN),
  );
}

interface StartRequest {
  readonly StateMachineArn: string;
  readonly Name: string;
  readonly Input: {
    issuerId: string;
    rotationId: string;
    mode: string;
    AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: string;
  };
}

describe('infra/workflows/fleet.asl.json', () => {
  it('is valid ASL (asl-validator, paths and ARNs checked) on JSONPath, its timeout left to the CDK', () => {
    const definition = fleetDefinition();
    expect(validate(structuredClone(definition), { checkPaths: true, checkArn: true }).errors).toEqual([]);
    expect(definition).toMatchObject({ QueryLanguage: 'JSONPath' });
    // Sized from the issuer count (fleet-timeout.test.ts): a fixed one would stop children mid-rotation.
    expect(definition).not.toHaveProperty('TimeoutSeconds');
  });

  it('bounds concurrency and tolerates failures from its input, in a Distributed Map', () => {
    const map = (fleetDefinition().States as Record<string, Record<string, unknown>>).RotateEachIssuer;
    expect(map).toMatchObject({
      MaxConcurrencyPath: '$.maxConcurrency',
      ToleratedFailurePercentagePath: '$.toleratedFailurePercentage',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
  });

  it('starts one rotation per issuer, named <issuer>--<rotation id>, with a fresh valid rotation id each (ONE-SIGNER)', async () => {
    // Prepare: the RotateIssuer task answers as startExecution.sync:2 would after a successful rotation.
    const started: StartRequest[] = [];
    const machine = new StateMachine(fleetDefinition() as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });

    // Act
    const execution = machine.run(
      {
        issuerIds: ['prod-east', 'prod-west', 'staging'],
        mode: 'scheduled',
        maxConcurrency: 2,
        toleratedFailurePercentage: 0,
      },
      {
        context: {
          Execution: {
            Id: `${ROTATION_ARN.replace(':stateMachine:Keyturn-Rotation', ':execution:Keyturn-Fleet')}:weekly`,
          },
        },
        overrides: {
          taskResourceLocalHandlers: {
            RotateIssuer: async (input) => {
              const request = input as unknown as StartRequest;
              started.push(request);
              return {
                ExecutionArn: `${ROTATION_ARN.replace(':stateMachine:', ':execution:')}:${request.Name}`,
                Status: 'SUCCEEDED',
              };
            },
          },
        },
      },
    );
    const result = (await execution.result) as { results: { status: string }[] };

    // Assess
    expect(started.map((request) => request.Input.issuerId).sort()).toEqual([
      'prod-east',
      'prod-west',
      'staging',
    ]);
    for (const request of started) {
      expect(request.StateMachineArn).toBe(ROTATION_ARN);
      expect(request.Input.mode).toBe('scheduled');
      expect(request.Input.rotationId).toMatch(ROTATION_ID_PATTERN);
      expect(request.Name).toBe(`${request.Input.issuerId}--${request.Input.rotationId}`);
      expect(request.Name.length).toBeLessThanOrEqual(80);
      expect(request.Input).toMatchObject({
        AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: expect.stringContaining('Keyturn-Fleet'),
      });
    }
    expect(new Set(started.map((request) => request.Input.rotationId)).size).toBe(3);
    expect(result.results.map((item) => item.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });
});
