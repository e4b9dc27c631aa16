import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'cli', 'keyturn.js');
const vector = join(import.meta.dirname, '..', 'fixtures', 'keys', 'k8s-keyid-vector.public');

describe('cli/keyturn.js (the npm bin)', () => {
  it('runs as a real process and prints the kid', async () => {
    const { stdout } = await run(process.execPath, [bin, 'kid', vector]);

    expect(stdout).toBe('JHJehTTTZlsspKHT-GaJxK7Kd1NQgZJu3fyK6K_QDYU\n');
  });

  it('exits non-zero with one line on stderr for a rejected input', async () => {
    const failure = await run(process.execPath, [bin, 'kid', bin]).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 1, stdout: '' });
    expect((failure as { stderr: string }).stderr).toMatch(/^keyturn: .*\n$/);
  });
});
