/**
 * The tasks of keyturn's workflows, one Lambda each, and the names the ASL files give them. Every layer
 * needs this list: functions/ (a handler per task), infra/ (a function per task, the definition
 * substitutions), local/ (binding Task states to handlers), bench/ and the tests. It lives in shared/
 * because shared/ is the one place they may all import, and it depends on nothing.
 *
 * A Task state's Resource in infra/workflows/*.asl.json is the placeholder `${<Task>FunctionArn}`: CDK
 * substitutes the function's ARN, the local runner binds the task's handler.
 */

/**
 * The tasks of one rotation, in the order the rotation workflow runs them (rollback runs only on failure;
 * await-stability runs after the rollout and again after the reboots; refresh-tokens and finish-refresh
 * only for tokenRefresh `reboot`).
 */
export const ROTATION_TASKS = [
  'prepare',
  'generate',
  'publish',
  'confirm-visible',
  'push',
  'watch-rollout',
  'await-stability',
  'verify',
  'activate',
  'refresh-tokens',
  'finish-refresh',
] as const;

/** One of {@link ROTATION_TASKS}. */
export type RotationTask = (typeof ROTATION_TASKS)[number];

/**
 * Every task of the rotation and maintenance workflows, in workflow order: rollback runs when a rotation
 * fails, abort when `keyturn rotate --abort` starts the rotation workflow to end one.
 */
export const TASK_NAMES = [...ROTATION_TASKS, 'rollback', 'abort', 'maintain'] as const;

/** One of {@link TASK_NAMES}. */
export type TaskName = (typeof TASK_NAMES)[number];

/** `watch-rollout` → `WatchRollout`: the task in construct ids, IAM statement ids and placeholders. */
export function taskPascalName(task: TaskName): string {
  return task.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}

/** `confirm-visible` → `ConfirmVisibleFunctionArn`: the definition substitution naming its function. */
export function taskPlaceholder(task: TaskName): string {
  return `${taskPascalName(task)}FunctionArn`;
}

const TASK_OF_PLACEHOLDER: ReadonlyMap<string, TaskName> = new Map(
  TASK_NAMES.map((task) => [taskPlaceholder(task), task]),
);

/** `ConfirmVisibleFunctionArn` → `confirm-visible`, the inverse of {@link taskPlaceholder}; else undefined. */
export function taskOfPlaceholder(placeholder: string): TaskName | undefined {
  return TASK_OF_PLACEHOLDER.get(placeholder);
}

/** `confirm-visible` → `${ConfirmVisibleFunctionArn}`: a Task state's Resource in the ASL files. */
export function taskResource(task: TaskName): string {
  return `\${${taskPlaceholder(task)}}`;
}

/** `${ConfirmVisibleFunctionArn}` → `confirm-visible`, the inverse of {@link taskResource}; else undefined. */
export function taskOfResource(resource: string): TaskName | undefined {
  const placeholder = /^\$\{(\w+)\}$/.exec(resource)?.[1];
  return placeholder === undefined ? undefined : taskOfPlaceholder(placeholder);
}
