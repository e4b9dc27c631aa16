import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from './measure.ts';
import { type BenchSection, formatMs, formatRatio, progress } from './report.ts';

const BIN = join(import.meta.dirname, '..', 'cli', 'keyturn.js');
const VECTOR = join(import.meta.dirname, '..', 'test', 'fixtures', 'keys', 'k8s-keyid-vector.public');
/** Runs per command line, alternating with the bare-node baseline so load elsewhere hits both. */
const RUNS = 9;
/** Issue 14's target for the light commands: start-up at most this many times a bare `node -e 0`. */
const TARGET_RATIO = 5;

/** The command lines measured: the light ones the target is for, and two heavy ones for contrast. */
const COMMAND_LINES: ReadonlyArray<readonly string[]> = [
  ['--help'],
  ['--version'],
  ['kid', VECTOR],
  ['jwks', VECTOR],
  ['verify-token', '--help'],
  ['status', '--help'],
  ['rotate', '--help'],
];

function timeProcess(args: readonly string[]): number {
  const start = performance.now();
  execFileSync(process.execPath, [...args], { stdio: 'ignore' });
  return performance.now() - start;
}

/** Wall time of whole `keyturn` processes, as a ratio to `node -e 0` measured in the same run. */
export async function run(): Promise<BenchSection> {
  const rows = [];
  for (const args of COMMAND_LINES) {
    progress(`cli start-up, keyturn ${args[0]} × ${RUNS}`);
    const baseline: number[] = [];
    const samples: number[] = [];
    for (let attempt = 0; attempt < RUNS; attempt += 1) {
      baseline.push(timeProcess(['-e', '0']));
      samples.push(timeProcess([BIN, ...args]));
    }
    const ratio = median(samples) / median(baseline);
    rows.push({
      command: `keyturn ${args.map((arg) => (arg === VECTOR ? 'KEY' : arg)).join(' ')}`,
      medianMs: median(samples),
      nodeMs: median(baseline),
      ratio,
    });
  }
  return {
    title: 'CLI start-up (whole process, median)',
    columns: [
      { key: 'command', label: 'command' },
      { key: 'medianMs', label: 'keyturn', format: formatMs },
      { key: 'nodeMs', label: 'node -e 0', format: formatMs },
      { key: 'ratio', label: 'ratio', format: formatRatio },
    ],
    rows,
    notes: [
      `target for --help, --version, kid, jwks and verify-token: ≤ ${TARGET_RATIO}× node -e 0 (issue 14)`,
      'status and rotate load the AWS SDK and the workflow runner; they are listed for contrast',
    ],
  };
}
