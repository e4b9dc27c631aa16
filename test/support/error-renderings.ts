import { inspect } from 'node:util';

/**
 * Every way an error could reach a log line or an operator's screen: its message, its stack, `inspect`
 * with causes and hidden properties, and JSON. SEALED checks scan this text for key material.
 */
export function renderError(error: unknown): string {
  return [
    String(error),
    (error as Error | undefined)?.stack ?? '',
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
  ].join('\n');
}
