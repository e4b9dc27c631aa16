import type { FleetIssuerResult } from '#shared/adapters/aws/fleet-executions.ts';
import type { MapRunCounts } from '#shared/adapters/aws/map-runs.ts';

/** `2 succeeded, 1 failed[, 1 timed out][, 1 aborted]`: how the items that ended, ended. */
function endedParts(counts: MapRunCounts): string[] {
  return [
    `${counts.succeeded} succeeded`,
    `${counts.failed} failed`,
    ...(counts.timedOut > 0 ? [`${counts.timedOut} timed out`] : []),
    ...(counts.aborted > 0 ? [`${counts.aborted} aborted`] : []),
  ];
}

/** `fleet: 3/10 done (2 succeeded, 1 failed), 4 running`: one progress line of a fleet's map run. */
export function describeFleetProgress(counts: MapRunCounts): string {
  const done = counts.succeeded + counts.failed + counts.timedOut + counts.aborted;
  return `fleet: ${done}/${counts.total} done (${endedParts(counts).join(', ')}), ${counts.running} running`;
}

/** The issuers the fleet execution was started for (its input), which a joined run may not share. */
export function plannedIssuers(input: unknown): string[] | undefined {
  const ids = (input as { issuerIds?: unknown } | undefined)?.issuerIds;
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : undefined;
}

/**
 * One result per issuer of the run, by issuer id: the output's, a map run item's (whose details win),
 * or, for an issuer of a failed fleet that has neither, NOT STARTED.
 */
export function mergeFleetResults(
  planned: readonly string[],
  results: readonly FleetIssuerResult[],
  items: readonly FleetIssuerResult[],
): FleetIssuerResult[] {
  const byIssuer = new Map(results.map((result) => [result.issuerId, result]));
  for (const item of items) byIssuer.set(item.issuerId, item);
  if (byIssuer.size > 0) {
    for (const issuerId of planned) {
      if (!byIssuer.has(issuerId)) byIssuer.set(issuerId, { issuerId, status: 'NOT STARTED' });
    }
  }
  return [...byIssuer.values()].sort((a, b) => a.issuerId.localeCompare(b.issuerId));
}

/** `10 issuers: 8 succeeded, 1 failed, 1 aborted`: how each item of the map run ended. */
export function describeFleetTally(counts: MapRunCounts): string {
  const notDone = counts.pending + counts.running;
  const parts = [...endedParts(counts), ...(notDone > 0 ? [`${notDone} not done`] : [])];
  return `${counts.total} issuer${counts.total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** One aligned line per issuer: id, status, then the error (if any) and the rotation's execution. */
export function describeFleetIssuers(results: readonly FleetIssuerResult[]): string {
  const idWidth = Math.max(0, ...results.map((result) => result.issuerId.length));
  const statusWidth = Math.max(0, ...results.map((result) => result.status.length));
  return results
    .map((result) => {
      const error =
        result.error === undefined
          ? ''
          : `${result.error}${result.cause === undefined ? '' : `: ${result.cause}`} `;
      const arn = result.executionArn ?? '';
      const where = error === '' || arn === '' ? arn : `(${arn})`;
      const detail = `${error}${where}`.trim();
      return `  ${result.issuerId.padEnd(idWidth)}  ${result.status.padEnd(statusWidth)}  ${detail}`.trimEnd();
    })
    .map((line) => `${line}\n`)
    .join('');
}
