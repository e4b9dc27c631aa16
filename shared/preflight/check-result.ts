/** The checks `keyturn preflight` runs, in the order it prints them. */
export const PREFLIGHT_CHECKS = [
  'cluster-reachable',
  'api-access',
  'issuer-url',
  'cluster-keys',
  'issuer-served',
  'lead-time',
  'rotation-guard',
  'cluster-stable',
  'token-lifetime',
] as const;

/** One of {@link PREFLIGHT_CHECKS}. */
export type PreflightCheckId = (typeof PREFLIGHT_CHECKS)[number];

/** What each check checks, in a few words, as its line starts. */
export const CHECK_TITLES: Readonly<Record<PreflightCheckId, string>> = {
  'cluster-reachable': 'cluster reachable',
  'api-access': "keyturn's API calls allowed",
  'issuer-url': "cluster's issuer is the keyring's",
  'cluster-keys': 'cluster keys in keys.json',
  'issuer-served': 'issuer served for relying parties',
  'lead-time': 'lead time covers keys.json max-age',
  'rotation-guard': 'no other rotator',
  'cluster-stable': 'cluster stable',
  'token-lifetime': 'grace covers token lifetime',
};

/** A check's id and title, the start of its result. */
export function checkOf<Id extends PreflightCheckId>(id: Id): { readonly id: Id; readonly title: string } {
  return { id, title: CHECK_TITLES[id] };
}

/** What a check found: it passed, it failed, or it could not run (what it needs failed first). */
export type CheckOutcome = 'pass' | 'fail' | 'not-run';

/** One check's line: what it checks, its outcome and a short reason, and the invariant it protects. */
export interface CheckResult {
  readonly id: PreflightCheckId;
  /** What is checked, in a few words (`cluster reachable`). */
  readonly title: string;
  readonly outcome: CheckOutcome;
  /** Why it passed or failed, in one line; for a failure, what to do. */
  readonly reason: string;
  /** Every item a failure is about (each denied call, each unstable condition), one line each. */
  readonly details?: readonly string[];
  /** The invariant of DESIGN.md §2 a failure of this check would break, if any. */
  readonly invariant?: 'PUBLISHED-BEFORE-SIGN' | 'NO-ORPHAN-TOKENS' | 'ONE-SIGNER' | 'ALWAYS-VALID';
}

/** The settled result of one read: its value, or the error it failed with. */
export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** Waits for a read and keeps its error instead of throwing: one failing read never hides the others. */
export async function settle<T>(read: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The first line of an error's message, as a check's reason. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const line = message.split('\n')[0] ?? '';
  return typeof code === 'string' && code.startsWith('ERR_') ? `${line} (${code})` : line;
}

/** `45s`, `5m`, `1h30m`, `2d`: seconds the way a check's reason names them. */
export function formatSeconds(seconds: number): string {
  const units: readonly [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length === 0 ? '0s' : parts.slice(0, 2).join('');
}
