import { describe, expect, it } from 'vitest';
import { newRotationId, parseRotationId } from '#shared/rotation/index.ts';

describe('newRotationId', () => {
  it('makes ids that start with the time and are safe names', () => {
    const id = newRotationId(new Date('2026-03-01T12:34:56.789Z'));

    expect(id).toMatch(/^20260301-123456-[0-9a-f]{6}$/);
    expect(parseRotationId(id)).toBe(id);
  });

  it('makes a different id each time', () => {
    const now = new Date();

    expect(newRotationId(now)).not.toBe(newRotationId(now));
  });
});

describe('parseRotationId', () => {
  it.each([
    '',
    'Upper',
    '../escape',
    'a/b',
    'with space',
    '-leading',
    'x'.repeat(64),
    '2026-03-01T12:00:00Z',
  ])('rejects %j (ERR_ROTATION_REQUEST)', (value) => {
    expect(() => parseRotationId(value)).toThrow(expect.objectContaining({ code: 'ERR_ROTATION_REQUEST' }));
  });
});
