import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TASK_NAMES, type TaskName, taskPlaceholder } from '#shared/workflow-tasks.ts';
import { fleetTimeoutSeconds } from '../workflows/fleet-timeout.ts';
import { loadWorkflowDefinition, WORKFLOW_FILES, type WorkflowName } from '../workflows/index.ts';
import { nagArn } from './nag-ids.ts';

/** Props of {@link RotationWorkflows}. */
export interface RotationWorkflowsProps {
  /** The task functions the ASL placeholders `${<Task>FunctionArn}` name. */
  readonly functions: Readonly<Record<TaskName, lambda.IFunction>>;
  /** Days the execution logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** How many issuers the deployment rotates: the fleet's timeout is sized for all of them, one at a time. */
  readonly issuerCount: number;
}

/**
 * The three Standard workflows, each from its ASL file with definition substitutions: rotation (one
 * issuer), maintenance (every issuer, hourly) and fleet (a rotation per issuer, bounded concurrency,
 * tolerated failures). Logged without execution data (state carries ids only, but inputs and outputs
 * still stay out of the logs) and traced. The fleet's TimeoutSeconds is not in its file: it is sized here
 * from the issuer count and the rotation workflow's timeout (infra/workflows/fleet-timeout.ts).
 */
export class RotationWorkflows extends Construct {
  public readonly rotation: sfn.StateMachine;
  public readonly maintenance: sfn.StateMachine;
  public readonly fleet: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RotationWorkflowsProps) {
    super(scope, id);
    const functionArns = Object.fromEntries(
      TASK_NAMES.map((task) => [taskPlaceholder(task), props.functions[task].functionArn]),
    );
    this.rotation = this.createStateMachine('Rotation', 'rotation', functionArns, props.logRetention);
    this.maintenance = this.createStateMachine(
      'Maintenance',
      'maintenance',
      functionArns,
      props.logRetention,
    );
    allowInvoke(
      this.rotation,
      TASK_NAMES.map((task) => props.functions[task]),
    );
    allowInvoke(this.maintenance, [props.functions.maintain]);
    this.fleet = this.createStateMachine(
      'Fleet',
      'fleet',
      { RotationStateMachineArn: this.rotation.stateMachineArn },
      props.logRetention,
      { TimeoutSeconds: fleetTimeoutSeconds(props.issuerCount) },
    );
    this.grantFleetRuns();
  }

  private createStateMachine(
    id: string,
    file: WorkflowName,
    substitutions: Record<string, string>,
    logRetention: logs.RetentionDays,
    definitionFields?: Record<string, unknown>,
  ): sfn.StateMachine {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${id}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const machine = new sfn.StateMachine(this, id, {
      stateMachineName: this.nameOf(id),
      definitionBody:
        definitionFields === undefined
          ? sfn.DefinitionBody.fromFile(WORKFLOW_FILES[file])
          : sfn.DefinitionBody.fromString(
              JSON.stringify({ ...loadWorkflowDefinition(file), ...definitionFields }),
            ),
      definitionSubstitutions: substitutions,
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const policy = machine.role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery, ...), which have no resource-level permissions.',
      });
    }
    return machine;
  }

  /** `<stack>-Rotation`: fixed, so the fleet's policy can name the executions without a token. */
  private nameOf(id: string): string {
    return `${Stack.of(this).stackName}-${id}`;
  }

  /**
   * The fleet runs its Distributed Map as child executions of itself, each starting a rotation and
   * waiting for it (`startExecution.sync:2` uses an EventBridge managed rule). A separate policy, so the
   * fleet's own ARN can appear in it without a dependency cycle.
   */
  private grantFleetRuns(): void {
    const stack = Stack.of(this);
    const executionsOf = (id: string, separator: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${this.nameOf(id)}${separator}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const policy = new iam.Policy(this, 'FleetRunsPolicy', {
      roles: [this.fleet.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [this.rotation.stateMachineArn, this.fleet.stateMachineArn],
        }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [executionsOf('Rotation', ':'), executionsOf('Fleet', '/')],
        }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [
            stack.formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
            }),
          ],
        }),
      ],
    });
    const executions = (id: string, separator: string) =>
      `AwsSolutions-IAM5[Resource::${nagArn(this, 'states', `execution:${this.nameOf(id)}${separator}*`)}]`;
    Validations.of(policy).acknowledge({
      id: executions('Rotation', ':'),
      reason:
        'startExecution.sync:2 describes and stops the rotation executions it starts; their names are made per issuer and rotation at run time.',
    });
    Validations.of(policy).acknowledge({
      id: executions('Fleet', '/'),
      reason:
        "The Distributed Map runs its items as child executions of the fleet workflow (<fleet>/<map run>:<id>); AWS's documented minimum.",
    });
  }
}

/**
 * lambda:InvokeFunction on the unqualified function ARNs only: the ASL invokes `${<Task>FunctionArn}`,
 * never a version or alias (so no `:*`, unlike grantInvoke).
 */
function allowInvoke(machine: sfn.StateMachine, functions: readonly lambda.IFunction[]): void {
  machine.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: functions.map((fn) => fn.functionArn),
    }),
  );
}
