import { lazyAwsPorts } from './aws-ports.ts';
import { createKeyturnLogger } from './observability.ts';
import { createTaskHandler, type TaskHandler, type TaskName } from './task-handlers.ts';

/** The Lambda handler of `task` on AWS: ports from the environment, audit lines in the same logger. */
export function createAwsTaskHandler(task: TaskName): TaskHandler {
  const logger = createKeyturnLogger();
  return createTaskHandler(task, lazyAwsPorts({ logger }), { logger });
}
