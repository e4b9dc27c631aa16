import { describe, expect, it } from 'vitest';
import {
  TASK_NAMES,
  taskOfPlaceholder,
  taskOfResource,
  taskPascalName,
  taskPlaceholder,
  taskResource,
} from '#shared/workflow-tasks.ts';

describe('taskPlaceholder and taskOfPlaceholder', () => {
  it('name each task as the ASL files do', () => {
    expect(taskPascalName('watch-rollout')).toBe('WatchRollout');
    expect(taskPlaceholder('confirm-visible')).toBe('ConfirmVisibleFunctionArn');
    expect(taskPlaceholder('prepare')).toBe('PrepareFunctionArn');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, as the ASL files write it
    expect(taskResource('watch-rollout')).toBe('${WatchRolloutFunctionArn}');
  });

  it.each(TASK_NAMES)('are inverses for %s', (task) => {
    expect(taskOfPlaceholder(taskPlaceholder(task))).toBe(task);
    expect(taskOfResource(taskResource(task))).toBe(task);
  });

  it.each(['FooFunctionArn', 'confirmVisibleFunctionArn', 'ConfirmVisible', 'RotationStateMachineArn', ''])(
    'finds no task for the placeholder %j',
    (placeholder) => {
      expect(taskOfPlaceholder(placeholder)).toBeUndefined();
    },
  );

  it.each([
    'arn:aws:lambda:eu-west-1:1:function:x',
    `x${taskResource('prepare')}`,
    `${taskResource('prepare')}x`,
    'PrepareFunctionArn',
    taskResource('prepare').replace('Prepare', 'Foo'),
  ])('finds no task for the Resource %j', (resource) => {
    expect(taskOfResource(resource)).toBeUndefined();
  });
});
