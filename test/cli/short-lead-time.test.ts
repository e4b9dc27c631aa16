import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDirectory, runKeyturn } from './run-keyturn.ts';

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

describe('a lead time shorter than keys.json’s max-age, locally (PUBLISHED-BEFORE-SIGN)', () => {
  it('warns on standard error, naming the max-age and the flag, and goes on (exit 0)', async () => {
    // Act
    const run = await runKeyturn(
      ['init', '--local', '--issuer', 'http://127.0.0.1:8080/demo', '--bits', '2048', '--lead-time', '5s'],
      { cwd: directory.path },
    );

    // Assess
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Created issuer demo');
    expect(run.err).toContain(
      'warning: issuer demo: a lead time of 5 s is shorter than the 300 s keys.json is cached for',
    );
    expect(run.err).toContain('give --lead-time 300s or more there');
  });

  it('says nothing for the max-age itself', async () => {
    const run = await runKeyturn(
      ['init', '--local', '--issuer', 'http://127.0.0.1:8080/demo', '--bits', '2048', '--lead-time', '5m'],
      { cwd: directory.path },
    );

    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toContain('warning:');
  });
});
