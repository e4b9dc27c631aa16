import { resolve } from 'node:path';
import { resolveKeyturnHome } from '#shared/adapters/local/index.ts';
import type { CliIo } from './io.ts';

/** The `--home` option every local command shares. */
export const HOME_OPTION = ['--home <dir>', 'keyturn home (default: $KEYTURN_HOME or ./.keyturn)'] as const;

/** The keyturn home for this run: `--home`, else $KEYTURN_HOME, else ./.keyturn. */
export function homeFrom(io: CliIo, option: string | undefined): string {
  return option === undefined ? resolveKeyturnHome(io.env, io.cwd) : resolve(io.cwd, option);
}
