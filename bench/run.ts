import { parseArgs } from 'node:util';
import * as cliStartup from './cli-startup.ts';
import * as keyGeneration from './key-generation.ts';
import * as keySet from './key-set.ts';
import {
  type BenchResult,
  type BenchSection,
  describeMachine,
  formatMs,
  renderJson,
  renderMachine,
  renderSection,
  sectionsOf,
} from './report.ts';
import * as rotationEngine from './rotation-engine.ts';
import * as tokenVerification from './token-verification.ts';
import * as workflow from './workflow.ts';

/** Every benchmark in the order it runs: to add figures, write a module exporting `run()` and list it here. */
const BENCHMARKS: Readonly<Record<string, () => Promise<BenchResult>>> = {
  'token-verification': tokenVerification.run,
  'key-set': keySet.run,
  'key-generation': keyGeneration.run,
  'rotation-engine': rotationEngine.run,
  workflow: workflow.run,
  'cli-startup': cliStartup.run,
};

const USAGE = `usage: npm run bench -- [--json] [--only ${Object.keys(BENCHMARKS).join(',')}]`;

async function main(argv: readonly string[]): Promise<number> {
  let options: { json: boolean; only: string[] };
  try {
    options = readOptions(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const start = performance.now();
  const sections: Record<string, BenchSection> = {};
  for (const id of options.only) {
    const benchmark = BENCHMARKS[id];
    if (benchmark === undefined) continue;
    for (const section of sectionsOf(await benchmark())) {
      sections[section.id === undefined ? id : `${id}/${section.id}`] = section;
    }
  }
  const machine = describeMachine();
  if (options.json) {
    process.stdout.write(`${renderJson(machine, sections)}\n`);
  } else {
    const blocks = [renderMachine(machine), ...Object.values(sections).map(renderSection)];
    process.stdout.write(`${blocks.join('\n\n')}\n\ntotal ${formatMs(performance.now() - start)}\n`);
  }
  return 0;
}

function readOptions(argv: readonly string[]): { json: boolean; only: string[] } {
  const { values } = parseArgs({
    args: [...argv],
    options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only?.split(',').map((id) => id.trim()) ?? Object.keys(BENCHMARKS);
  const unknown = only.filter((id) => !(id in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}`);
  }
  return { json: values.json, only };
}

process.exitCode = await main(process.argv.slice(2));
