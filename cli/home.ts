import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { HomeUnusableError } from '#shared/adapters/local/errors.ts';
import { resolveKeyturnHome } from '#shared/adapters/local/index.ts';
import type { CliIo } from './io.ts';

/** The `--home` option every local command shares. */
export const HOME_OPTION = ['--home <dir>', 'keyturn home (default: $KEYTURN_HOME or ./.keyturn)'] as const;

/** The keyturn home for this run: `--home`, else $KEYTURN_HOME, else ./.keyturn; ERR_HOME_UNUSABLE if it is a file. */
export function homeFrom(io: CliIo, option: string | undefined): string {
  const home = option === undefined ? resolveKeyturnHome(io.env, io.cwd) : resolve(io.cwd, option);
  const found = statSync(home, { throwIfNoEntry: false });
  if (found !== undefined && !found.isDirectory()) {
    throw new HomeUnusableError(
      'ERR_HOME_UNUSABLE',
      `the keyturn home ${home} is a file, not a directory; give --home a directory (or set KEYTURN_HOME to one)`,
    );
  }
  return home;
}
