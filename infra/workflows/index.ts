/**
 * The owner of keyturn's workflow definitions: the ASL files CDK deploys
 * (infra/constructs/rotation-workflows.ts) and the local runner executes
 * (local/workflow/local-workflow-runner.ts). Node built-ins only, so the local runtime can import it
 * without loading CDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workflows: rotation (one issuer), maintenance (every issuer) and fleet (a rotation per issuer). */
export const WORKFLOW_NAMES = ['rotation', 'maintenance', 'fleet'] as const;

/** The name of a workflow in this folder. */
export type WorkflowName = (typeof WORKFLOW_NAMES)[number];

/** The path of each workflow's ASL file, `<name>.asl.json` next to this module. */
export const WORKFLOW_FILES: Readonly<Record<WorkflowName, string>> = {
  rotation: join(import.meta.dirname, 'rotation.asl.json'),
  maintenance: join(import.meta.dirname, 'maintenance.asl.json'),
  fleet: join(import.meta.dirname, 'fleet.asl.json'),
};

/**
 * Reads and parses a workflow's ASL definition, its `${...}` placeholders (`${PrepareFunctionArn}`,
 * `${RotationStateMachineArn}`) left as they are.
 */
export function loadWorkflowDefinition(name: WorkflowName): Record<string, unknown> {
  return JSON.parse(readFileSync(WORKFLOW_FILES[name], 'utf8')) as Record<string, unknown>;
}
