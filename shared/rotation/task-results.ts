import type { AbortResult } from './abort.ts';
import type { ActivateResult } from './activate.ts';
import type { StabilityResult } from './await-stability.ts';
import type { VisibilityResult } from './confirm-visible.ts';
import type { FinishRefreshResult } from './finish-refresh.ts';
import type { GenerateResult } from './generate.ts';
import type { MaintainResult } from './maintain.ts';
import type { PrepareResult } from './prepare.ts';
import type { PublishResult } from './publish.ts';
import type { PushResult } from './push.ts';
import type { RefreshResult } from './refresh-tokens.ts';
import type { RollbackResult } from './rollback.ts';
import type { VerifyResult } from './verify.ts';
import type { RolloutResult } from './watch-rollout.ts';

/**
 * What each workflow task returns: the result of the one rotation step it runs. The handlers, their
 * metrics, the local runner and the drivers of tests and benchmarks are typed with it, so a step's result
 * reaches them as the step declared it. One entry per task of shared/workflow-tasks.ts: the handlers'
 * step table (functions/task-handlers.ts) indexes it with every task name, so a missing one fails to compile.
 */
export interface TaskResults {
  readonly prepare: PrepareResult;
  readonly generate: GenerateResult;
  readonly publish: PublishResult;
  readonly 'confirm-visible': VisibilityResult;
  readonly push: PushResult;
  readonly 'watch-rollout': RolloutResult;
  readonly 'await-stability': StabilityResult;
  readonly verify: VerifyResult;
  readonly activate: ActivateResult;
  readonly 'refresh-tokens': RefreshResult;
  readonly 'finish-refresh': FinishRefreshResult;
  readonly rollback: RollbackResult;
  readonly abort: AbortResult;
  readonly maintain: MaintainResult;
}
