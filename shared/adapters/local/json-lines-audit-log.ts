import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isJsonObject } from '../../json.ts';
import { InvariantViolationError } from '../../keyring/errors.ts';
import type { AuditEntry, AuditLog } from '../../ports.ts';
import { AuditLogFormatError } from './errors.ts';
import { errorCode, keyturnHomeLayout, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './home.ts';

/** Where the JSON-lines audit log writes. */
export interface JsonLinesAuditLogOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
}

/** Key material that must never reach the audit trail, in any PEM form (SEALED). */
const KEY_MATERIAL = /PRIVATE KEY|-----BEGIN [A-Z0-9 ]+-----/;

/**
 * An AuditLog appending one JSON line per entry to `audit/<issuerId>.jsonl` (mode 0600). An entry that
 * carries a PEM block is refused with ERR_INVARIANT (SEALED) rather than written; failures are thrown,
 * never swallowed.
 */
export function createJsonLinesAuditLog(options: JsonLinesAuditLogOptions): AuditLog {
  const layout = keyturnHomeLayout(options.home);
  return {
    async append(entry) {
      const path = layout.auditLog(entry.issuerId);
      const line = `${JSON.stringify(entry)}\n`;
      if (KEY_MATERIAL.test(line)) {
        throw new InvariantViolationError(
          'SEALED',
          `an audit entry for ${entry.issuerId} carries PEM key material; it was not written`,
        );
      }
      await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
      const handle = await open(path, 'a', PRIVATE_FILE_MODE);
      try {
        // One write of one line in append mode: concurrent appenders do not interleave within a line.
        await handle.write(line);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * The audit entries of an issuer, oldest first; none when there is no log. A last line cut short by a
 * crash mid-append is skipped; any other line that is not a JSON object is refused.
 */
export async function readAuditLog(home: string, issuerId: string): Promise<AuditEntry[]> {
  const path = keyturnHomeLayout(home).auditLog(issuerId);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const torn = lines.pop();
  const entries: AuditEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const entry = parseLine(line);
    if (entry === undefined) {
      throw new AuditLogFormatError(
        'ERR_AUDIT_FORMAT',
        `${path}: line ${index + 1} is not a JSON audit entry`,
      );
    }
    entries.push(entry);
  });
  if (torn !== undefined && torn.trim() !== '') {
    const entry = parseLine(torn);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

function parseLine(line: string): AuditEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isJsonObject(value) ? (value as unknown as AuditEntry) : undefined;
  } catch {
    return undefined;
  }
}
