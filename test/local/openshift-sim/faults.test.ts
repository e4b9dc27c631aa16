import { describe, expect, it } from 'vitest';
import { createApiFaults } from '#local/openshift-sim/faults.ts';

describe('createApiFaults', () => {
  it('fails exactly the next n calls with the reason given, then admits calls again', async () => {
    // Prepare
    const faults = createApiFaults();
    faults.failNextCalls(2, 'ServiceUnavailable');

    // Act
    const results = await Promise.allSettled(
      [1, 2, 3].map((call) => faults.admitApiCall(`GET call ${call}`)),
    );

    // Assess
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({
      reason: {
        name: 'InjectedApiFailureError',
        code: 'ERR_SIM_INJECTED_FAILURE',
        reason: 'ServiceUnavailable',
        status: 503,
        message: expect.stringContaining('GET call 1'),
      },
    });
    expect(faults.pendingFailures).toBe(0);
  });

  it('awaits the API delay on every call, through the injected sleep', async () => {
    // Prepare
    const slept: number[] = [];
    const faults = createApiFaults(async (ms) => {
      slept.push(ms);
    });
    faults.setApiDelay(250);

    // Act
    await faults.admitApiCall('GET a');
    await faults.admitApiCall('GET b');
    faults.clear();
    await faults.admitApiCall('GET c');

    // Assess
    expect(slept).toEqual([250, 250]);
    expect(faults.apiDelayMs).toBe(0);
  });

  it('waits in real time by default', async () => {
    // Prepare
    const faults = createApiFaults();
    faults.setApiDelay(40);
    const started = performance.now();

    // Act
    await faults.admitApiCall('GET slow');

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it.each([-1, 1.5, Number.NaN])('rejects %s as a count or delay', (value) => {
    // Prepare
    const faults = createApiFaults();

    // Act / Assess
    expect(() => faults.failNextCalls(value)).toThrow(RangeError);
    expect(() => faults.setApiDelay(value)).toThrow(RangeError);
  });
});

describe('createApiFaults failure rate', () => {
  it('fails a steady fraction of calls, deterministically, and clear() stops it', async () => {
    const faults = createApiFaults(async () => undefined);
    faults.setFailureRate(0.25, 'Conflict');

    const outcomes: string[] = [];
    for (let call = 0; call < 8; call += 1) {
      outcomes.push(
        await faults.admitApiCall('GET x').then(
          () => 'ok',
          (error: { reason?: string }) => String(error.reason),
        ),
      );
    }
    faults.clear();

    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'Conflict', 'ok', 'ok', 'ok', 'Conflict']);
    await expect(faults.admitApiCall('GET x')).resolves.toBeUndefined();
  });

  it.each([-0.1, 1.5, Number.NaN])('refuses the rate %d', (rate) => {
    expect(() => createApiFaults().setFailureRate(rate)).toThrow(RangeError);
  });
});
