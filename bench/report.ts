import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform } from 'node:os';
import { join } from 'node:path';

/** A figure as it appears in JSON output; numbers carry their unit in the field name (`medianMs`). */
export type BenchValue = number | string;

/** Turns a number into table text, e.g. `12,345` or `1.73 ms`. */
export type Formatter = (value: number) => string;

/** One column of a section's table. */
export interface BenchColumn {
  /** The row field this column shows; also the field name in JSON output. */
  readonly key: string;
  readonly label: string;
  /** How numbers print. @default String(value) */
  readonly format?: Formatter;
}

/** One row of figures, keyed by {@link BenchColumn.key}. */
export type BenchRow = Readonly<Record<string, BenchValue>>;

/** A single figure printed under a table, such as a setup cost. */
export interface BenchFigure {
  readonly label: string;
  readonly value: BenchValue;
  /** @default String(value) */
  readonly format?: Formatter;
}

/** One titled table, printed or emitted as JSON. */
export interface BenchSection {
  /**
   * Names the section when a module returns several; its JSON key is then `module/id`.
   * @default the module's id alone
   */
  readonly id?: string;
  readonly title: string;
  readonly columns: readonly BenchColumn[];
  readonly rows: readonly BenchRow[];
  /** Single figures keyed by their JSON name. @default none */
  readonly figures?: Readonly<Record<string, BenchFigure>>;
  /** Lines saying how the figures were measured. @default none */
  readonly notes?: readonly string[];
}

/** What every benchmark module's `run()` returns: one section, or several printed in order. */
export type BenchResult = BenchSection | readonly BenchSection[];

/** The sections of a module's result, in order. */
export function sectionsOf(result: BenchResult): readonly BenchSection[] {
  return 'title' in result ? [result] : result;
}

/** Where the figures were measured; printed first and included in JSON for later comparison. */
export interface MachineContext {
  readonly node: string;
  readonly openssl: string;
  readonly jose: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
}

/** A whole number with thousands separators, e.g. an ops/s rate or a byte count. */
export const formatInteger: Formatter = (value) => Math.round(value).toLocaleString('en-US');

/** A ratio such as `0.21×`. */
export const formatRatio: Formatter = (value) => `${value.toFixed(2)}×`;

/** A duration given in milliseconds, printed in the unit that suits it. */
export const formatMs: Formatter = (ms) => {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
};

/** Progress for a human watching; on stderr so `--json` output stays clean. */
export function progress(message: string): void {
  process.stderr.write(`… ${message}\n`);
}

/** Describes this machine and runtime. */
export function describeMachine(): MachineContext {
  return {
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    jose: readPackageVersion('jose'),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    platform: `${platform()} ${arch()}`,
  };
}

/** The machine context as two lines of text. */
export function renderMachine(machine: MachineContext): string {
  return [
    `node ${machine.node} (OpenSSL ${machine.openssl}), jose ${machine.jose}, ${machine.platform}`,
    `CPU ${machine.cpu}, ${machine.cores} cores`,
  ].join('\n');
}

/** A section as a titled, aligned table followed by its figures and notes. */
export function renderSection(section: BenchSection): string {
  const header = section.columns.map((column) => column.label);
  const body = section.rows.map((row) =>
    section.columns.map((column) => show(row[column.key], column.format)),
  );
  const widths = header.map((label, index) =>
    Math.max(label.length, ...body.map((cells) => cells[index]?.length ?? 0)),
  );
  // The first column names the row; the others are figures, right-aligned so digits line up.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  const figures = Object.values(section.figures ?? {}).map(
    (figure) => `${figure.label}: ${show(figure.value, figure.format)}`,
  );
  const rule = '-'.repeat(widths.reduce((sum, width) => sum + width, 2 * (widths.length - 1)));
  return [
    `== ${section.title}`,
    line(header),
    rule,
    ...body.map(line),
    ...figures,
    ...(section.notes ?? []).map((note) => `  ${note}`),
  ].join('\n');
}

/** Everything as one JSON document: machine, then each section's rows and figures as raw numbers. */
export function renderJson(
  machine: MachineContext,
  sections: Readonly<Record<string, BenchSection>>,
): string {
  const entries = Object.entries(sections).map(([id, section]) => [
    id,
    {
      title: section.title,
      rows: section.rows,
      figures: Object.fromEntries(
        Object.entries(section.figures ?? {}).map(([key, figure]) => [key, figure.value]),
      ),
    },
  ]);
  const document = { date: new Date().toISOString(), machine, sections: Object.fromEntries(entries) };
  // Four significant digits: the run-to-run noise is far larger than that.
  return JSON.stringify(
    document,
    (_key, value) => (isFraction(value) ? Number(value.toPrecision(4)) : value),
    2,
  );
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && !Number.isInteger(value);
}

function show(value: BenchValue | undefined, format: Formatter | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' && format !== undefined ? format(value) : String(value);
}

function readPackageVersion(name: string): string {
  try {
    const manifest = join(import.meta.dirname, '..', 'node_modules', name, 'package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
