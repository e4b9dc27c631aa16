import type { KeyRecord, Keyring } from '#shared/keyring/keyring.ts';
import { formatTable } from './table.ts';

/**
 * The moments of a key's life the keyring records, in the order the status schema lists them
 * (docs/schemas/status-v1.schema.json); EVENT_FIELDS below orders them by the lifecycle.
 */
export const KEY_EVENT_NAMES = [
  'generated',
  'published',
  'visible',
  'pushed',
  'active',
  'retired',
  'tokens-refreshed',
  'removed',
  'failed',
  'compromised',
  'private-key-destroyed',
] as const;

/** One moment of a key's life, as the keyring records it. */
export interface KeyEvent {
  readonly event: (typeof KEY_EVENT_NAMES)[number];
  readonly at: string;
}

/** The keyring fields each event is read from, in the order of the key lifecycle (DESIGN.md §2). */
const EVENT_FIELDS: ReadonlyArray<readonly [KeyEvent['event'], keyof KeyRecord]> = [
  ['generated', 'generatedAt'],
  ['published', 'publishedAt'],
  ['visible', 'visibleAt'],
  ['pushed', 'promotedAt'],
  ['active', 'activatedAt'],
  ['compromised', 'compromisedAt'],
  ['retired', 'retiredAt'],
  ['tokens-refreshed', 'tokensRefreshedAt'],
  ['failed', 'failedAt'],
  ['removed', 'removedAt'],
  ['private-key-destroyed', 'privateKeyDestroyedAt'],
];

/** A key's recorded events, oldest first (ties keep lifecycle order). */
export function keyEvents(key: KeyRecord): KeyEvent[] {
  const events = EVENT_FIELDS.flatMap(([event, field]) => {
    const at = key[field];
    return typeof at === 'string' ? [{ event, at }] : [];
  });
  return events.toSorted((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** How the timeline draws: Unicode blocks on a UTF-8 terminal, ASCII otherwise. */
export interface TimelineStyle {
  readonly unicode: boolean;
  /** Columns of the bar. @default 48 */
  readonly width?: number;
}

/** What a key is doing at a moment, as the bar draws it. */
type Phase = 'none' | 'published' | 'active' | 'retired';

const GLYPHS: Readonly<Record<'unicode' | 'ascii', Readonly<Record<Phase, string>>>> = {
  unicode: { none: ' ', published: '░', active: '█', retired: '▒' },
  ascii: { none: ' ', published: '.', active: '#', retired: '=' },
};

/**
 * `keyturn status --history`: per key, a table of its times and a bar across the issuer's life that a person
 * reads at a glance — published (not signing), active (signing), retired (still published, no longer
 * signing), gone.
 */
export function renderKeyHistory(keyring: Keyring, now: Date, style: TimelineStyle): string {
  const width = style.width ?? 48;
  const glyphs = GLYPHS[style.unicode ? 'unicode' : 'ascii'];
  const start = Math.min(...keyring.keys.map((key) => Date.parse(key.generatedAt)), now.getTime());
  const span = Math.max(now.getTime() - start, 1);
  const rows = keyring.keys.map((key) => {
    let bar = '';
    for (let column = 0; column < width; column += 1) {
      bar += glyphs[phaseAt(key, start + ((column + 0.5) / width) * span)];
    }
    return `  ${key.kid.slice(0, 12)}  |${bar}|  ${key.state}`;
  });
  const history = keyring.keys.map((key) => [
    key.kid,
    ...['generated', 'visible', 'pushed', 'active', 'retired', 'removed'].map(
      (name) =>
        keyEvents(key)
          .find((event) => event.event === name)
          ?.at.replace(/\.\d{3}Z$/, 'Z') ?? '-',
    ),
  ]);
  const legend = `${glyphs.published} published  ${glyphs.active} active (signing)  ${glyphs.retired} retired (published, not signing)`;
  return [
    `issuer ${keyring.issuerId}  ${keyring.issuerUrl}`,
    '',
    formatTable(['KID', 'GENERATED', 'VISIBLE', 'PUSHED', 'ACTIVE', 'RETIRED', 'REMOVED'], history),
    '',
    `  ${' '.repeat(12)}  ${new Date(start).toISOString().slice(0, 16)}Z${' '.repeat(Math.max(1, width - 32))}now`,
    ...rows,
    `  ${legend}`,
    '',
  ].join('\n');
}

function phaseAt(key: KeyRecord, time: number): Phase {
  const at = (value: string | undefined) => (value === undefined ? undefined : Date.parse(value));
  const published = at(key.publishedAt) ?? at(key.visibleAt);
  const active = at(key.activatedAt);
  const retired = at(key.retiredAt);
  const gone = at(key.removedAt) ?? at(key.failedAt);
  if (published === undefined || time < published) return 'none';
  if (gone !== undefined && time >= gone) return 'none';
  if (retired !== undefined && time >= retired) return 'retired';
  if (active !== undefined && time >= active) return 'active';
  return 'published';
}

/** True when the environment's locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as C does). */
export function localeIsUtf8(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}
