import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflowDefinition, WORKFLOW_FILES, WORKFLOW_NAMES } from '#infra/workflows/index.ts';

const WORKFLOWS_FOLDER = join(import.meta.dirname, '..', '..', '..', 'infra', 'workflows');

describe('infra/workflows/index.ts', () => {
  it('names every ASL file of infra/workflows/, each once', async () => {
    // Act
    const files = (await readdir(WORKFLOWS_FOLDER)).filter((name) => name.endsWith('.asl.json'));

    // Assess
    expect(Object.values(WORKFLOW_FILES).map((path) => basename(path))).toEqual(
      WORKFLOW_NAMES.map((name) => `${name}.asl.json`),
    );
    expect([...files].sort()).toEqual(WORKFLOW_NAMES.map((name) => `${name}.asl.json`).sort());
    for (const path of Object.values(WORKFLOW_FILES)) expect(dirname(path)).toBe(WORKFLOWS_FOLDER);
  });

  it.each(WORKFLOW_NAMES)('loads the %s workflow with its placeholders unresolved', (name) => {
    // Act
    const definition = loadWorkflowDefinition(name);

    // Assess
    expect(definition).toHaveProperty('StartAt');
    expect(definition).toHaveProperty('States');
    expect(JSON.stringify(definition)).toMatch(/\$\{\w+(FunctionArn|StateMachineArn)\}/);
  });
});
