import { InvalidArgumentError } from 'commander';
import { toYaml } from './yaml.ts';

/** The formats `-o`/`--output` offers (kubectl's and the aws CLI's spelling). */
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;

/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `-o, --output <format>` option, for commands whose result is a document. */
export const OUTPUT_OPTION = [
  '-o, --output <format>',
  `print the result as ${OUTPUT_FORMATS.join(', ')} (default table); json and yaml follow a versioned schema (docs/cli.md)`,
  parseOutputFormat,
  'table',
] as const;

function parseOutputFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((name) => name === value.trim().toLowerCase());
  if (format === undefined) {
    throw new InvalidArgumentError(`expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return format;
}

/** Renders a machine-readable document in the chosen format (results go to stdout, always). */
export function renderDocument(format: 'json' | 'yaml', document: unknown): string {
  const plain = JSON.parse(JSON.stringify(document));
  return format === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : toYaml(plain);
}
