import type { TaskName } from '#shared/workflow-tasks.ts';
import { lazyAwsPorts } from './aws-ports.ts';
import { createKeyturnLogger } from './observability.ts';
import { createTaskHandler, type TaskHandler } from './task-handlers.ts';

/** The Lambda handler of `task` on AWS: ports from the environment, audit lines in the same logger. */
export function createAwsTaskHandler<T extends TaskName>(task: T): TaskHandler<T> {
  const logger = createKeyturnLogger();
  return createTaskHandler(task, lazyAwsPorts({ logger }), { logger });
}
