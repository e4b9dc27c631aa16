import { InvalidToken } from '@aws-sdk/client-sfn';
import { responseMetadata } from './fake-aws.ts';

/** What GetExecutionHistory takes, as the fake reads it. */
export interface HistoryPageRequest {
  readonly maxResults?: unknown;
  readonly reverseOrder?: unknown;
  readonly nextToken?: unknown;
  readonly includeExecutionData?: unknown;
}

/**
 * One page of an execution's history as GetExecutionHistory answers it: `maxResults` events (default
 * 100, at most `maxPerPage` and 1000), oldest first or newest first, a `nextToken` while more follow
 * (InvalidToken when a token is replayed with other arguments), inputs and outputs dropped when
 * `includeExecutionData` is false.
 */
export function historyPage(
  executionArn: string,
  history: readonly Record<string, unknown>[],
  request: HistoryPageRequest,
  maxPerPage: number,
): { events: Record<string, unknown>[]; nextToken?: string } {
  const reverse = request.reverseOrder === true;
  const size = Math.min(Number(request.maxResults ?? 0) || 100, maxPerPage, 1000);
  const ordered = reverse ? [...history].reverse() : [...history];
  const offset =
    request.nextToken === undefined ? 0 : readToken(String(request.nextToken), executionArn, reverse);
  const events = ordered
    .slice(offset, offset + size)
    .map((event) => (request.includeExecutionData === false ? withoutData(event) : event));
  const more = offset + size < ordered.length;
  return { events, ...(more ? { nextToken: makeToken(executionArn, reverse, offset + size) } : {}) };
}

function makeToken(arn: string, reverse: boolean, offset: number): string {
  return Buffer.from(JSON.stringify({ arn, reverse, offset })).toString('base64url');
}

function readToken(token: string, arn: string, reverse: boolean): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (parsed.arn === arn && parsed.reverse === reverse && Number.isInteger(parsed.offset)) {
      return parsed.offset as number;
    }
  } catch {
    // Falls through to InvalidToken.
  }
  throw new InvalidToken({ message: 'Invalid Token', $metadata: responseMetadata(400) });
}

/** An event without its input and output, as GetExecutionHistory answers with includeExecutionData: false. */
function withoutData(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(event).map(([key, value]) => {
      if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) return [key, value];
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      return [key, rest];
    }),
  );
}

/** What ListExecutions takes for paging, as the fake reads it. */
export interface ListPageRequest {
  readonly maxResults?: unknown;
  readonly nextToken?: unknown;
}

/**
 * One page of a list as ListExecutions answers it: `maxResults` entries (default 100, at most 1000), a
 * `nextToken` while more follow; InvalidToken for a token of another listing (`scope`).
 */
export function listPage<T>(
  scope: string,
  entries: readonly T[],
  request: ListPageRequest,
): { items: T[]; nextToken?: string } {
  const size = Math.min(Number(request.maxResults ?? 0) || 100, 1000);
  const offset = request.nextToken === undefined ? 0 : readToken(String(request.nextToken), scope, false);
  const more = offset + size < entries.length;
  return {
    items: entries.slice(offset, offset + size),
    ...(more ? { nextToken: makeToken(scope, false, offset + size) } : {}),
  };
}
