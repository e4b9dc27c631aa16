import { createAwsTaskHandler } from '../aws-task-handler.ts';

/** Lambda entry point of the workflow task `abort` (see functions/task-handlers.ts). */
export const handler = createAwsTaskHandler('abort');
