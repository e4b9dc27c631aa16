import { createAwsTaskHandler } from '../aws-task-handler.ts';

/** Lambda entry point of the workflow task `await-stability` (see functions/task-handlers.ts). */
export const handler = createAwsTaskHandler('await-stability');
