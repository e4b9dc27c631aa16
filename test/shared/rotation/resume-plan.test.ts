import { describe, expect, it } from 'vitest';
import type { Rotation } from '#shared/keyring/keyring.ts';
import { RotationInProgressError } from '#shared/rotation/errors.ts';
import { planRotation } from '#shared/rotation/resume-plan.ts';
import { KEYS, keyRecord, keyringWith } from '#test/shared/keyring/keyring-fixture.ts';

const COMMANDS = {
  resume: 'keyturn rotate --issuer cluster-a',
  abort: 'keyturn rotate --issuer cluster-a --abort',
};
const NOW = new Date('2026-03-01T12:00:00.000Z');
const IN_FLIGHT: Rotation = {
  id: 'r1',
  mode: 'emergency',
  startedAt: '2026-03-01T11:00:00.000Z',
  leadTimeSeconds: 600,
  previousKid: KEYS.old.kid,
  compromisedKid: KEYS.old.kid,
  newKid: KEYS.new.kid,
};
const idle = keyringWith([keyRecord('old')]);
const busy = keyringWith([keyRecord('old'), keyRecord('new', { state: 'published' })], {
  rotation: IN_FLIGHT,
});

describe('which rotation a run starts or resumes (RECOVERABLE, ONE-SIGNER)', () => {
  it('starts a new manual or emergency rotation when none is in flight', () => {
    expect(planRotation(idle, { rotationId: 'r9', leadTimeSeconds: 5 }, COMMANDS, NOW)).toEqual({
      rotationId: 'r9',
      resumed: false,
      input: { issuerId: 'cluster-a', rotationId: 'r9', mode: 'manual', leadTimeSeconds: 5 },
    });
    const emergency = planRotation(idle, { emergencyKid: KEYS.old.kid }, COMMANDS, NOW);
    expect(emergency.input).toMatchObject({ mode: 'emergency', compromisedKid: KEYS.old.kid });
    expect(emergency.rotationId).toMatch(/^20260301-120000-[0-9a-f]{6}$/);
  });

  it.each([
    ['nothing asked', {}],
    [
      'the same id, kid and lead time',
      { rotationId: 'r1', emergencyKid: KEYS.old.kid, leadTimeSeconds: 600 },
    ],
  ])('resumes the rotation in flight with its own settings when %s', (_case, asked) => {
    expect(planRotation(busy, asked, COMMANDS, NOW)).toEqual({
      rotationId: 'r1',
      resumed: true,
      input: {
        issuerId: 'cluster-a',
        rotationId: 'r1',
        mode: 'emergency',
        compromisedKid: KEYS.old.kid,
        leadTimeSeconds: 600,
      },
    });
  });

  it.each([
    ['another rotation id', { rotationId: 'r2' }, 'not rotation r2'],
    [
      'another compromised key',
      { emergencyKid: KEYS.new.kid },
      `not an emergency rotation replacing ${KEYS.new.kid}`,
    ],
    ['another lead time', { leadTimeSeconds: 5 }, 'prepared with a lead time of 600 s, not 5 s'],
  ])('refuses %s, naming resume and abort', (_case, asked, why) => {
    const refusal = (() => {
      try {
        planRotation(busy, asked, COMMANDS, NOW);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(RotationInProgressError);
    expect((refusal as Error).message).toContain(why);
    expect((refusal as Error).message).toContain(
      'Resume it with keyturn rotate --issuer cluster-a, or end it safely with keyturn rotate --issuer cluster-a --abort',
    );
  });
});
