import { ClusterAnswerError } from '../../port-errors.ts';
import type { ClusterStability, OperatorConditionType, UnstableCondition } from '../../ports.ts';
import { fieldOf, listItems, optionalList, requiredString } from './answer-fields.ts';

/** What each condition must say for the cluster to be stable (`oc adm wait-for-stable-cluster`). */
const EXPECTED: Readonly<Record<OperatorConditionType, string>> = {
  Available: 'True',
  Progressing: 'False',
  Degraded: 'False',
};

const LIST = 'the ClusterOperator list';
const MAX_MESSAGE = 200;

/**
 * Reads a ClusterOperator list the way `oc adm wait-for-stable-cluster` judges it: every operator
 * Available=True, Progressing=False, Degraded=False, a missing condition unstable; and, as ccoctl does, an
 * empty list unstable too. When stable, `stableSince` is the latest transition of any of those conditions.
 */
export function readStability(list: unknown): ClusterStability {
  const items = listItems(list, LIST);
  const operators = items.map((item, index) => readOperator(item, index));
  const unstable = operators.flatMap((operator) => operator.unstable);
  const times = operators.flatMap((operator) => operator.transitions);
  const stable = items.length > 0 && unstable.length === 0;
  return {
    operators: items.length,
    unstable,
    ...(stable && times.length > 0 ? { stableSince: new Date(Math.max(...times)) } : {}),
  };
}

/** One operator's unstable conditions, and the transition times of its conditions that are as expected. */
function readOperator(
  item: unknown,
  index: number,
): { unstable: UnstableCondition[]; transitions: number[] } {
  const operator = requiredString(
    fieldOf(fieldOf(item, 'metadata', `${LIST} item ${index}`), 'name', `${LIST} item ${index} metadata`),
    `${LIST} item ${index} metadata.name`,
  );
  const where = `clusteroperator ${operator}`;
  const status = fieldOf(item, 'status', where);
  const conditions = optionalList(
    status === undefined ? undefined : fieldOf(status, 'conditions', `${where} status`),
    `${where} status.conditions`,
  );
  const unstable: UnstableCondition[] = [];
  const transitions: number[] = [];
  for (const type of Object.keys(EXPECTED) as OperatorConditionType[]) {
    const condition = conditions.find((entry) => fieldOf(entry, 'type', where) === type);
    const read = condition === undefined ? undefined : readCondition(condition, `${where} ${type}`);
    if (read !== undefined && read.status === EXPECTED[type]) {
      if (read.transitionMs !== undefined) transitions.push(read.transitionMs);
      continue;
    }
    unstable.push({
      operator,
      condition: type,
      status: read?.status ?? 'missing',
      ...(read?.reason === undefined ? {} : { reason: read.reason }),
      ...(read?.message === undefined ? {} : { message: read.message }),
    });
  }
  return { unstable, transitions };
}

interface ReadCondition {
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly transitionMs?: number;
}

function readCondition(condition: unknown, where: string): ReadCondition {
  const status = requiredString(fieldOf(condition, 'status', where), `${where} status`);
  const reason = fieldOf(condition, 'reason', where);
  const message = fieldOf(condition, 'message', where);
  const time = fieldOf(condition, 'lastTransitionTime', where);
  const transitionMs = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (time !== undefined && Number.isNaN(transitionMs)) {
    throw new ClusterAnswerError(`${where} lastTransitionTime is not an RFC 3339 time`);
  }
  return {
    status,
    ...(typeof reason === 'string' && reason !== '' ? { reason } : {}),
    ...(typeof message === 'string' && message !== '' ? { message: oneLine(message) } : {}),
    ...(Number.isNaN(transitionMs) ? {} : { transitionMs }),
  };
}

/** The first line of an operator's message, at most 200 characters. */
function oneLine(message: string): string {
  const line = message.split('\n')[0]?.trim() ?? '';
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}
