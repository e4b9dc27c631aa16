import { createAwsTaskHandler } from '../aws-task-handler.ts';

/** Lambda entry point of the workflow task `prepare` (see functions/task-handlers.ts). */
export const handler = createAwsTaskHandler('prepare');
