import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOpenShiftSimulator } from '#local/openshift-sim/http/index.ts';
import { createFileKeyringStore, createLocalVault } from '#shared/adapters/local/index.ts';
import { activeKey } from '#shared/keyring/queries.ts';
import { freePort, makeTempDirectory, runKeyturn } from './run-keyturn.ts';

const bin = join(import.meta.dirname, '..', '..', 'cli', 'keyturn.js');

let directory: { path: string; remove: () => Promise<void> };

beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await directory.remove();
});

/** A home with one issuer served on a free port; a long lead time keeps a rotation in WaitForLeadTime. */
async function initIssuer(leadTime: string): Promise<string> {
  const issuer = `http://127.0.0.1:${await freePort()}/demo`;
  const init = await runKeyturn(
    ['init', '--local', '--issuer', issuer, '--bits', '2048', '--lead-time', leadTime],
    { cwd: directory.path },
  );
  expect(init.code, init.err).toBe(0);
  return issuer;
}

/** Runs the real `keyturn` process, sends `signal` once standard error shows `when`, and collects the end. */
function runUntilSigint(
  args: readonly string[],
  when: RegExp,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: directory.path, env: { ...process.env } });
    let err = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (!sent && when.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, killedBy) => resolve({ code, signal: killedBy, err }));
  });
}

describe('keyturn rotate --local, interrupted (RECOVERABLE)', () => {
  it('stops on SIGINT with exit 130, where it stopped and how to go on; --abort then ends it; a second --abort exits 1', async () => {
    // Prepare
    await initIssuer('60s');

    // Act: Ctrl-C while the workflow waits out the lead time.
    const interrupted = await runUntilSigint(
      ['rotate', '--local', '--home', '.keyturn'],
      /… WaitForLeadTime/,
    );

    // Assess
    expect(interrupted.code, interrupted.err).toBe(130);
    expect(interrupted.err).toMatch(
      /keyturn: interrupted: rotation \S+ of issuer demo stopped in WaitForLeadTime/,
    );
    expect(interrupted.err).toMatch(/new key \S+: published \(visible since .*\), not pushed/);
    expect(interrupted.err).toMatch(/keyturn rotate --local --home \.keyturn {10}resume it/);
    expect(interrupted.err).toContain('keyturn rotate --local --home .keyturn --abort  end it safely');
    const status = await runKeyturn(['status'], { cwd: directory.path });
    expect(status.out).toMatch(/rotation in flight: \S+ \(manual\) since .*: new key \S+: published/);

    // Act: the abort it named.
    const aborted = await runKeyturn(['rotate', '--local', '--home', '.keyturn', '--abort'], {
      cwd: directory.path,
    });
    const again = await runKeyturn(['rotate', '--local', '--abort'], { cwd: directory.path });

    // Assess
    expect(aborted.code, aborted.err).toBe(0);
    expect(aborted.out).toMatch(
      /^Aborted rotation \S+ of issuer demo \(stopped at: published\); new key \S+ was never pushed: dropped/,
    );
    expect(aborted.out).toMatch(/last rotation: \S+ \(manual\) aborted at/);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /no rotation is in flight, so there is nothing to abort \(the last one, \S+, aborted at/,
    );
  });

  it('resumes the rotation in flight with the same id when run again, after an in-process Ctrl-C', async () => {
    // Prepare: Ctrl-C (the io's untilStopped) as soon as Publish is done.
    await initIssuer('1s');
    let pressCtrlC: () => void = () => {};
    const ctrlC = new Promise<void>((resolve) => {
      pressCtrlC = resolve;
    });
    const interrupted = await runKeyturn(['rotate', '--local'], {
      cwd: directory.path,
      untilStopped: () => ctrlC,
      onErr: (text) => {
        if (text.includes('✓ Publish')) pressCtrlC();
      },
    });
    expect(interrupted.code, interrupted.err).toBe(130);
    const rotationId = /interrupted: rotation (\S+)/.exec(interrupted.err)?.[1];

    // Act
    const resumed = await runKeyturn(['rotate', '--local'], { cwd: directory.path });

    // Assess
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(
      new RegExp(`^Resuming rotation ${rotationId} \\(started \\S+, new key \\S+: published.*not pushed`),
    );
    expect(resumed.out).toContain(`(rotation ${rotationId})`);
    const other = await runKeyturn(['rotate', '--local', '--rotation-id', 'x-1', '--abort'], {
      cwd: directory.path,
    });
    expect(other.code).toBe(2);
  });

  it('records an abort whose push back fails, shows it in status, exits 1 naming the command, and converges when re-run (RECOVERABLE)', async () => {
    // Prepare: a cluster of its own (kubeconfig), interrupted while it rolls the new key out.
    const issuer = await initIssuer('1s');
    const home = join(directory.path, '.keyturn');
    const stored = await createFileKeyringStore({ home }).read('demo');
    const initialKey = await createLocalVault({ home }).open(
      activeKey(stored?.keyring ?? ({} as never))?.vaultRef ?? '',
    );
    const startCluster = async () => {
      const cluster = await startOpenShiftSimulator({ issuerUrl: issuer, initialKey, nodeRolloutSeconds: 1 });
      await writeFile(join(directory.path, 'cluster.kubeconfig'), cluster.kubeconfig());
      return cluster;
    };
    const down = await startCluster();
    let pressCtrlC: () => void = () => {};
    const ctrlC = new Promise<void>((resolve) => {
      pressCtrlC = resolve;
    });
    const interrupted = await runKeyturn(['rotate', '--local', '--kubeconfig', 'cluster.kubeconfig'], {
      cwd: directory.path,
      untilStopped: () => ctrlC,
      onErr: (text) => {
        if (text.includes('✓ Push')) pressCtrlC();
      },
    });
    expect(interrupted.code, interrupted.err).toBe(130);
    expect(interrupted.err).toContain('pushed, rolling out');
    expect(interrupted.err).toContain('keyturn rotate --local --kubeconfig cluster.kubeconfig --abort');
    await down.close();

    // Act: abort while the cluster is down.
    const failed = await runKeyturn(['rotate', '--local', '--kubeconfig', 'cluster.kubeconfig', '--abort'], {
      cwd: directory.path,
    });
    const status = await runKeyturn(['status'], { cwd: directory.path });

    // Assess: never silent.
    expect(failed.code, failed.err).toBe(1);
    expect(failed.err).toMatch(/aborting rotation \S+ failed: the previous key could not be pushed back/);
    expect(failed.err).toContain('run keyturn rotate --local --kubeconfig cluster.kubeconfig --abort again');
    expect(status.out).toMatch(/an abort failed at/);
    expect(status.out).toContain('ABORT FAILED');

    // Act: the cluster is back; the same command again.
    const back = await startCluster();
    const aborted = await runKeyturn(['rotate', '--local', '--kubeconfig', 'cluster.kubeconfig', '--abort'], {
      cwd: directory.path,
    }).finally(() => back.close());

    // Assess
    expect(aborted.code, aborted.err).toBe(0);
    expect(aborted.out).toMatch(/previous key \S+ pushed back to the cluster; new key \S+ may have signed/);
    expect(aborted.out).toMatch(/last rotation: \S+ \(manual\) aborted at/);
  });

  it('refuses --abort with the options that start a rotation, locally and in AWS, and with --fleet (exit 2)', async () => {
    const runs = await Promise.all(
      [
        ['rotate', '--local', '--abort', '--emergency', 'x'],
        ['rotate', '--issuer', 'demo', '--abort', '--lead-time', '5s'],
        ['rotate', '--fleet', '--abort'],
      ].map((args) => runKeyturn(args, { cwd: directory.path })),
    );

    expect(runs.map((run) => run.code)).toEqual([2, 2, 2]);
    expect(runs[0]?.err).toContain('--abort ends the one in flight');
    expect(runs[1]?.err).toContain('--lead-time: they start a rotation; --abort ends the one in flight');
    expect(runs[2]?.err).toContain('not with --fleet');
  });

  it('resumes a rotation whose process was killed (SIGKILL) in WaitForLeadTime, with the same rotation id (RECOVERABLE)', async () => {
    // Prepare
    await initIssuer('2s');
    const killed = await runUntilSigint(['rotate', '--local'], /… WaitForLeadTime/, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const status = await runKeyturn(['status'], { cwd: directory.path });
    const rotationId = /rotation in flight: (\S+)/.exec(status.out)?.[1];
    expect(rotationId).toBeDefined();

    // Act
    const resumed = await runKeyturn(['rotate', '--local'], { cwd: directory.path });

    // Assess
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain(`Resuming rotation ${rotationId} (started `);
    expect(resumed.out).toContain(`(rotation ${rotationId})`);
  });
});
