import { createAwsTaskHandler } from '../aws-task-handler.ts';

/** Lambda entry point of the workflow task `finish-refresh` (see functions/task-handlers.ts). */
export const handler = createAwsTaskHandler('finish-refresh');
