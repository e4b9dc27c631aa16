import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationSeconds } from '#cli/durations.ts';

describe('parseDurationSeconds (every duration option: --lead-time, --grace, sim --token-ttl ...)', () => {
  it.each([
    ['90', 90],
    ['5s', 5],
    ['10m', 600],
    ['48h', 172_800],
    ['7d', 604_800],
    ['1m30s', 90],
    ['1h30m', 5400],
    ['1d12h', 129_600],
    ['1.5h', 5400],
    ['0.5m', 30],
    [' 2h ', 7200],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each([
    ['', 'expected a duration'],
    ['1x', 'expected a duration'],
    ['30s1m', 'expected a duration'],
    ['1m1m', 'expected a duration'],
    ['-5s', 'expected a duration'],
    ['1.5', 'expected a duration'],
    ['1h 30m', 'expected a duration'],
    ['0.3s', 'not a whole number of seconds'],
    ['99999999999999999999d', 'too long'],
  ])('refuses %j with a message that shows the forms it accepts', (text, message) => {
    const refusal = (() => {
      try {
        parseDurationSeconds(text);
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    expect(refusal).toBeInstanceOf(InvalidArgumentError);
    expect((refusal as Error).message).toContain(message);
    expect((refusal as Error).message).toContain('1m30s');
  });

  it('formats what it reads the short way', () => {
    expect([45, 600, 5400, 259_200].map(formatDuration)).toEqual(['45s', '10m', '2h', '3d']);
  });
});
