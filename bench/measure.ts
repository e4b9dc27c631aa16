/** How fast an operation ran in a fixed time budget. */
export interface Throughput {
  readonly ops: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
}

/** Time budgets for a throughput measurement. */
export interface ThroughputOptions {
  /** Run (and discard) for this long first, so JIT and caches settle. @default 200 */
  readonly warmupMs?: number;
  /** Count operations for this long. @default 1000 */
  readonly budgetMs?: number;
}

/** Limits for collecting latency samples. */
export interface SampleOptions {
  /** Keep sampling for this long once `minSamples` are in. @default 300 */
  readonly budgetMs?: number;
  /** @default 20 */
  readonly minSamples?: number;
  /** @default 5000 */
  readonly maxSamples?: number;
  /** Untimed calls made first. @default 10 */
  readonly warmupCalls?: number;
}

/** Counts calls of a synchronous operation, one at a time, within the time budget. */
export function measureSync(operation: () => void, options: ThroughputOptions = {}): Throughput {
  const { warmupMs = 200, budgetMs = 1000 } = options;
  for (const end = performance.now() + warmupMs; performance.now() < end; ) operation();
  const start = performance.now();
  let ops = 0;
  let now = start;
  while (now - start < budgetMs) {
    operation();
    ops += 1;
    now = performance.now();
  }
  return toThroughput(ops, now - start);
}

/** Counts calls of an asynchronous operation, each awaited before the next starts, within the budget. */
export async function measureAsync(
  operation: () => Promise<void>,
  options: ThroughputOptions = {},
): Promise<Throughput> {
  const { warmupMs = 200, budgetMs = 1000 } = options;
  for (const end = performance.now() + warmupMs; performance.now() < end; ) await operation();
  const start = performance.now();
  let ops = 0;
  let now = start;
  while (now - start < budgetMs) {
    await operation();
    ops += 1;
    now = performance.now();
  }
  return toThroughput(ops, now - start);
}

/** Adds up several measurements of the same operation into one. */
export function combineThroughput(parts: readonly Throughput[]): Throughput {
  const ops = parts.reduce((sum, part) => sum + part.ops, 0);
  const elapsedMs = parts.reduce((sum, part) => sum + part.elapsedMs, 0);
  return toThroughput(ops, elapsedMs);
}

/** Times single calls of a synchronous operation; returns each call's duration in milliseconds. */
export function sampleSync(operation: () => void, options: SampleOptions = {}): number[] {
  const { budgetMs = 300, minSamples = 20, maxSamples = 5000, warmupCalls = 10 } = options;
  for (let call = 0; call < warmupCalls; call += 1) operation();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (samples.length < maxSamples && (samples.length < minSamples || performance.now() < end)) {
    const start = performance.now();
    operation();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Awaits an operation and says how long it took in milliseconds. */
export async function timeAsync<T>(operation: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await operation();
  return { result, ms: performance.now() - start };
}

/** Middle value (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function toThroughput(ops: number, elapsedMs: number): Throughput {
  return { ops, elapsedMs, opsPerSec: (ops * 1000) / elapsedMs };
}
