import { describe, expect, it } from 'vitest';
import { readProtobufFields } from '#local/openshift-sim/http/protobuf.ts';
import { readTokenRequestSpec } from '#local/openshift-sim/http/token-request.ts';
import { protoBytes, protobufTokenRequest, protoVarint } from './sim-client.ts';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('readProtobufFields', () => {
  it('reads varints past 32 bits and length-delimited fields, and skips fixed32/fixed64 fields', () => {
    // Prepare
    const message = Buffer.concat([
      protoVarint(4, 2 ** 32),
      Buffer.from([(5 << 3) | 5, 1, 2, 3, 4]),
      Buffer.from([(6 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]),
      protoBytes(1, 'sts.amazonaws.com'),
    ]);

    // Act
    const fields = readProtobufFields(message);

    // Assess
    expect(fields).toEqual([
      { number: 4, wireType: 0, value: 2 ** 32 },
      { number: 1, wireType: 2, bytes: Buffer.from('sts.amazonaws.com') },
    ]);
  });

  it.each([
    ['a truncated varint', Buffer.from([0x20, 0x80])],
    ['a varint longer than 10 bytes', Buffer.from([0x20, ...Array(10).fill(0xff), 0x01])],
    ['a length past the end', Buffer.from([0x0a, 0x05, 0x61])],
    ['a truncated fixed64', Buffer.from([0x09, 1, 2])],
    ['a group (wire type 3)', Buffer.from([0x0b])],
    ['field number 0', Buffer.from([0x02, 0x00])],
  ])('refuses %s with ERR_SIM_BAD_REQUEST', (_case, message) => {
    expect(() => readProtobufFields(message)).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_BAD_REQUEST' }),
    );
  });
});

describe('readTokenRequestSpec', () => {
  it('reads audiences, expirationSeconds and a bound pod from kubectl protobuf', () => {
    // Prepare
    const body = protobufTokenRequest({
      audiences: ['sts.amazonaws.com', 'other'],
      expirationSeconds: 7200,
      boundPod: { name: 'p', uid: 'u-1' },
    });

    // Act
    const spec = readTokenRequestSpec(PROTOBUF, body);

    // Assess
    expect(spec).toEqual({
      audiences: ['sts.amazonaws.com', 'other'],
      expirationSeconds: 7200,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' },
    });
  });

  it('leaves expirationSeconds out when kubectl sends none (no --duration)', () => {
    expect(readTokenRequestSpec(PROTOBUF, protobufTokenRequest({ audiences: [] }))).toEqual({
      audiences: [],
    });
  });

  it('reads the same spec from JSON, with a charset parameter on the content type', () => {
    // Act
    const spec = readTokenRequestSpec(
      'application/json; charset=utf-8',
      Buffer.from(
        JSON.stringify({ kind: 'TokenRequest', spec: { audiences: ['a'], expirationSeconds: 600 } }),
      ),
    );

    // Assess
    expect(spec).toEqual({ audiences: ['a'], expirationSeconds: 600 });
  });

  it.each([
    [
      'another kind in the envelope',
      PROTOBUF,
      Buffer.concat([Buffer.from('k8s\0'), protoBytes(1, protoBytes(2, 'Secret'))]),
    ],
    ['a JSON array', 'application/json', Buffer.from('[]')],
    ['JSON audiences that are not strings', 'application/json', Buffer.from('{"spec":{"audiences":[1]}}')],
    [
      'a JSON expiration that is a string',
      'application/json',
      Buffer.from('{"spec":{"expirationSeconds":"600"}}'),
    ],
    ['another JSON kind', 'application/json', Buffer.from('{"kind":"Secret"}')],
  ])('refuses %s with ERR_SIM_BAD_REQUEST', (_case, contentType, body) => {
    expect(() => readTokenRequestSpec(contentType, body)).toThrow(
      expect.objectContaining({ code: 'ERR_SIM_BAD_REQUEST' }),
    );
  });
});
