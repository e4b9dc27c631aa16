import { ApiRequestError } from './status.ts';

/** The magic prefix of every Kubernetes protobuf body (`k8s\0`), before the runtime.Unknown envelope. */
export const KUBERNETES_PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** One field of a protobuf message: a varint's value, or a length-delimited field's bytes. */
export type ProtobufField =
  | { readonly number: number; readonly wireType: 0; readonly value: number }
  | { readonly number: number; readonly wireType: 2; readonly bytes: Buffer };

/**
 * Reads the fields of one protobuf message (wire format: https://protobuf.dev/programming-guides/encoding/)
 * in order. Varints and length-delimited fields are returned; fixed32/fixed64 fields are skipped, since no
 * field the simulator reads uses them; groups (deprecated) and truncated input are refused.
 */
export function readProtobufFields(message: Buffer): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  const varint = (): number => {
    const [value, next] = readVarint(message, offset);
    offset = next;
    return value;
  };
  while (offset < message.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) {
      throw malformed('field number 0');
    }
    if (wireType === 0) {
      fields.push({ number, wireType, value: varint() });
    } else if (wireType === 2) {
      const length = varint();
      if (offset + length > message.length) {
        throw malformed(`field ${number} runs past the end of the message`);
      }
      fields.push({ number, wireType, bytes: message.subarray(offset, offset + length) });
      offset += length;
    } else if (wireType === 1 || wireType === 5) {
      offset += wireType === 1 ? 8 : 4;
      if (offset > message.length) {
        throw malformed(`field ${number} runs past the end of the message`);
      }
    } else {
      throw malformed(`field ${number} has unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

/** The bytes of a message's length-delimited field `number` (the last one wins, as protobuf merges). */
export function bytesField(fields: readonly ProtobufField[], number: number): Buffer | undefined {
  const field = fields.findLast((candidate) => candidate.number === number && candidate.wireType === 2);
  return field?.wireType === 2 ? field.bytes : undefined;
}

/** Every value of a repeated string field, in order. */
export function stringFields(fields: readonly ProtobufField[], number: number): string[] {
  return fields.flatMap((field) =>
    field.number === number && field.wireType === 2 ? [field.bytes.toString('utf8')] : [],
  );
}

/** A string field, or undefined when absent. */
export function stringField(fields: readonly ProtobufField[], number: number): string | undefined {
  return bytesField(fields, number)?.toString('utf8');
}

/** A varint field (int32/int64), or undefined when absent. */
export function varintField(fields: readonly ProtobufField[], number: number): number | undefined {
  const field = fields.findLast((candidate) => candidate.number === number && candidate.wireType === 0);
  return field?.wireType === 0 ? field.value : undefined;
}

/**
 * Opens a Kubernetes protobuf body: checks the `k8s\0` magic and reads the runtime.Unknown envelope,
 * whose typeMeta (field 1) holds apiVersion (1) and kind (2) and whose raw (field 2) is the object.
 */
export function readKubernetesProtobuf(body: Buffer): { apiVersion?: string; kind?: string; raw: Buffer } {
  if (!body.subarray(0, KUBERNETES_PROTOBUF_MAGIC.length).equals(KUBERNETES_PROTOBUF_MAGIC)) {
    throw malformed('the body does not start with the Kubernetes protobuf magic k8s\\0');
  }
  const envelope = readProtobufFields(body.subarray(KUBERNETES_PROTOBUF_MAGIC.length));
  const typeMeta = readProtobufFields(bytesField(envelope, 1) ?? Buffer.alloc(0));
  const apiVersion = stringField(typeMeta, 1);
  const kind = stringField(typeMeta, 2);
  return {
    ...(apiVersion === undefined ? {} : { apiVersion }),
    ...(kind === undefined ? {} : { kind }),
    raw: bytesField(envelope, 2) ?? Buffer.alloc(0),
  };
}

/** Reads a base-128 varint at `offset`; returns its value (exact up to 2^53) and the next offset. */
function readVarint(buffer: Buffer, offset: number): [number, number] {
  let value = 0;
  for (let index = 0; index < 10; index += 1) {
    const byte = buffer[offset + index];
    if (byte === undefined) {
      throw malformed('a varint runs past the end of the message');
    }
    value += (byte & 0x7f) * 2 ** (7 * index);
    if (byte < 0x80) {
      return [value, offset + index + 1];
    }
  }
  throw malformed('a varint is longer than 10 bytes');
}

function malformed(why: string): ApiRequestError {
  return new ApiRequestError('ERR_SIM_BAD_REQUEST', `cannot decode the protobuf body: ${why}`);
}
