/** Prints one line per step with its outcome and elapsed time: the progress display of local runs. */
export interface StepLog {
  /** Runs `work` as a numbered step; prints ✓ or ✗ with the time it took, and rethrows failures. */
  step<T>(title: string, work: () => Promise<T>, detail?: (result: T) => string): Promise<T>;
}

/** A step log writing to `write` (standard output by default). */
export function createStepLog(write: (text: string) => void = (text) => process.stdout.write(text)): StepLog {
  let count = 0;
  return {
    async step(title, work, detail) {
      count += 1;
      const started = performance.now();
      const elapsed = () => `${((performance.now() - started) / 1000).toFixed(2)} s`;
      try {
        const result = await work();
        const extra = detail === undefined ? '' : `  ${detail(result)}`;
        write(`  ✓ ${count}. ${title} (${elapsed()})${extra}\n`);
        return result;
      } catch (error) {
        write(`  ✗ ${count}. ${title} (${elapsed()})\n`);
        throw error;
      }
    },
  };
}
