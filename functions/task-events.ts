import { z } from 'zod';
import {
  ISSUER_ID_PATTERN,
  isIssuerId,
  isRotationId,
  KID_PATTERN,
  ROTATION_ID_PATTERN,
} from '#shared/identifiers.ts';
import { ROTATION_MODES, TOKEN_REFRESH_POLICIES } from '#shared/keyring/keyring.ts';
import { redactSecrets } from '#shared/redaction.ts';
import type { TaskName } from '#shared/workflow-tasks.ts';
import { TaskEventError } from './task-errors.ts';

const REASON_CAUSE_CHARS = 200;

/** A Step Functions Catch result (`ResultPath` of a Catch): the error name and its cause. */
const catchResult = z.object({ Error: z.string().min(1), Cause: z.string().optional() });

/** Every field any task reads; each task picks its own, and unknown fields are stripped (z.object). */
const fields = z.object({
  issuerId: z.string().regex(ISSUER_ID_PATTERN),
  rotationId: z.string().regex(ROTATION_ID_PATTERN),
  mode: z.enum(ROTATION_MODES),
  compromisedKid: z.string().regex(KID_PATTERN).optional(),
  leadTimeSeconds: z.number().int().nonnegative().optional(),
  reason: z.union([z.string().min(1), catchResult]).transform(reasonText),
  publishDrift: z.boolean().optional(),
  tokenRefresh: z.enum(TOKEN_REFRESH_POLICIES).optional(),
});

const ids = { issuerId: true, rotationId: true } as const;

/** The event schema of each task. */
export const TASK_EVENTS = {
  prepare: fields.pick({
    ...ids,
    mode: true,
    compromisedKid: true,
    leadTimeSeconds: true,
    tokenRefresh: true,
  }),
  generate: fields.pick(ids),
  publish: fields.pick(ids),
  'confirm-visible': fields.pick(ids),
  push: fields.pick(ids),
  'watch-rollout': fields.pick(ids),
  'await-stability': fields.pick(ids),
  verify: fields.pick(ids),
  activate: fields.pick(ids),
  'refresh-tokens': fields.pick(ids),
  'finish-refresh': fields.pick(ids),
  rollback: fields.pick({ ...ids, reason: true }),
  abort: fields.pick(ids),
  maintain: fields.pick({ issuerId: true, publishDrift: true }),
} satisfies Record<TaskName, z.ZodType>;

/** The validated event of a task. */
export type TaskEvent<T extends TaskName> = z.output<(typeof TASK_EVENTS)[T]>;

/** Validates the event of `task`; the first problem becomes a TaskEventError naming the field. */
export function parseTaskEvent<T extends TaskName>(task: T, event: unknown): TaskEvent<T> {
  const parsed = TASK_EVENTS[task].safeParse(event);
  if (parsed.success) {
    return parsed.data as TaskEvent<T>;
  }
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? '(event)' : issue.path.join('.');
  throw new TaskEventError(task, field, issue?.message.toLowerCase() ?? 'is invalid');
}

/** The ids of an event that look like ids, for log keys; anything else in the event is never read. */
export function logIdsOf(event: unknown): { issuerId?: string; rotationId?: string } {
  if (typeof event !== 'object' || event === null) {
    return {};
  }
  const { issuerId, rotationId } = event as Record<string, unknown>;
  return {
    ...(typeof issuerId === 'string' && isIssuerId(issuerId) ? { issuerId } : {}),
    ...(typeof rotationId === 'string' && isRotationId(rotationId) ? { rotationId } : {}),
  };
}

/**
 * A short rollback reason. A Catch result's Cause is, for a Lambda task, the JSON error
 * `{"errorType","errorMessage","trace"}`: its message is kept, the stack trace is not.
 */
function reasonText(reason: string | z.output<typeof catchResult>): string {
  if (typeof reason === 'string') {
    return reason;
  }
  // Redacted before it is cut: a cut first could leave a key-material run too short to be recognised (SEALED).
  const cause = redactSecrets(lambdaErrorMessage(reason.Cause ?? '')).slice(0, REASON_CAUSE_CHARS);
  return cause === '' ? reason.Error : `${reason.Error}: ${cause}`;
}

function lambdaErrorMessage(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // Not JSON: a plain cause from a Fail state or the local runner.
  }
  return cause;
}
