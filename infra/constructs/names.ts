/** `watch-rollout` → `WatchRollout`: construct ids, statement ids and ASL placeholders (`${WatchRolloutFunctionArn}`). */
export function pascalCase(task: string): string {
  return task.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
}
