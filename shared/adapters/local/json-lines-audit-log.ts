import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isJsonObject } from '../../json.ts';
import type { AuditEntry, AuditLog } from '../../ports.ts';
import { redactAuditEntry } from '../../redaction.ts';
import { AuditLogFormatError } from './errors.ts';
import { errorCode, keyturnHomeLayout, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './home.ts';

/** Where the JSON-lines audit log writes. */
export interface JsonLinesAuditLogOptions {
  /** The keyturn home (see resolveKeyturnHome). */
  readonly home: string;
}

/**
 * An AuditLog appending one JSON line per entry to `audit/<issuerId>.jsonl` (mode 0600). Key material in
 * an entry's text (a rollback reason quoting a PEM block, say) is written as `[redacted]` (SEALED): the
 * entry follows a commit, so refusing it would fail a step whose state was already written (RECOVERABLE).
 * Failures to write are thrown, never swallowed.
 */
export function createJsonLinesAuditLog(options: JsonLinesAuditLogOptions): AuditLog {
  const layout = keyturnHomeLayout(options.home);
  return {
    async append(entry) {
      const path = layout.auditLog(entry.issuerId);
      const line = `${JSON.stringify(redactAuditEntry(entry))}\n`;
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
