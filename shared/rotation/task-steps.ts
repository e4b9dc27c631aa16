import type { RotationPorts } from '../ports.ts';
import type { TaskName } from '../workflow-tasks.ts';
import { abortRotation } from './abort.ts';
import { activateKey } from './activate.ts';
import { awaitStability } from './await-stability.ts';
import { confirmVisible } from './confirm-visible.ts';
import { finishTokenRefresh } from './finish-refresh.ts';
import { generateKey } from './generate.ts';
import { maintainIssuer } from './maintain.ts';
import { prepareRotation } from './prepare.ts';
import { publishNewKey } from './publish.ts';
import { pushKey } from './push.ts';
import { refreshTokens } from './refresh-tokens.ts';
import { rollbackRotation } from './rollback.ts';
import type { TaskResults } from './task-results.ts';
import { verifyRotation } from './verify.ts';
import { watchRollout } from './watch-rollout.ts';

/**
 * The one rotation step each workflow task runs: the Lambda handlers (functions/task-handlers.ts) and the
 * drivers of tests and benchmarks call a task's step through this table, so they cannot disagree on it.
 */
export const TASK_STEPS = {
  prepare: prepareRotation,
  generate: generateKey,
  publish: publishNewKey,
  'confirm-visible': confirmVisible,
  push: pushKey,
  'watch-rollout': watchRollout,
  'await-stability': awaitStability,
  verify: verifyRotation,
  activate: activateKey,
  'refresh-tokens': refreshTokens,
  'finish-refresh': finishTokenRefresh,
  rollback: rollbackRotation,
  abort: abortRotation,
  maintain: maintainIssuer,
} as const satisfies {
  readonly [T in TaskName]: (ports: RotationPorts, input: never) => Promise<TaskResults[T]>;
};
