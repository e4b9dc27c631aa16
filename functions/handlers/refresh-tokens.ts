import { createAwsTaskHandler } from '../aws-task-handler.ts';

/** Lambda entry point of the workflow task `refresh-tokens` (see functions/task-handlers.ts). */
export const handler = createAwsTaskHandler('refresh-tokens');
