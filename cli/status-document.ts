import { z } from 'zod';
import type { Keyring } from '#shared/keyring/keyring.ts';
import { KEY_EVENT_NAMES, type KeyEvent, keyEvents } from './key-timeline.ts';

/** The `apiVersion` of `keyturn status -o json|yaml`; a change that removes or renames a field bumps it. */
export const STATUS_API_VERSION = 'keyturn.io/v1';

const eventSchema = z.object({
  event: z.enum(KEY_EVENT_NAMES),
  at: z.iso.datetime(),
});

const keySchema = z.object({
  kid: z.string(),
  state: z.string(),
  origin: z.string(),
  rotationId: z.string(),
  bits: z.number().int(),
  /** When the key leaves keys.json (retired keys), if known. */
  removeAfter: z.iso.datetime().optional(),
  failure: z.string().optional(),
  /** The key's life, oldest first, from the keyring's times. */
  events: z.array(eventSchema),
});

const issuerSchema = z.object({
  issuerId: z.string(),
  issuerUrl: z.string(),
  policy: z.record(z.string(), z.union([z.string(), z.number()])),
  keys: z.array(keySchema),
  rotation: z
    .object({
      id: z.string(),
      mode: z.string(),
      startedAt: z.iso.datetime(),
      newKid: z.string().optional(),
      abortFailedAt: z.iso.datetime().optional(),
      /** The commands that go on from here. */
      goOn: z.string(),
    })
    .optional(),
  lastRotation: z
    .object({
      id: z.string(),
      mode: z.string(),
      outcome: z.string(),
      finishedAt: z.iso.datetime(),
      reason: z.string().optional(),
    })
    .optional(),
});

/** What `keyturn status -o json|yaml` prints (docs/schemas/status-v1.schema.json is generated from it). */
export const statusDocumentSchema = z.object({
  apiVersion: z.literal(STATUS_API_VERSION),
  kind: z.literal('Status'),
  /** When the keyrings were read. */
  readAt: z.iso.datetime(),
  /** Where the keyrings are: a keyturn home or a state bucket. */
  source: z.string(),
  issuers: z.array(issuerSchema),
  /** Issuers asked for with --issuer that do not exist there. */
  notFound: z.array(z.string()),
});

/** One `keyturn status -o json|yaml` document. */
export type StatusDocument = z.infer<typeof statusDocumentSchema>;

/** The commands that go on from a rotation in flight, as the table and the documents say them. */
export function goOnText(rotation: NonNullable<Keyring['rotation']>): string {
  return rotation.abortFailedAt === undefined
    ? 'run the same keyturn rotate again to resume it, or add --abort to end it safely'
    : 'fix the cause, then run the same keyturn rotate --abort again';
}

/** The status document of these keyrings. */
export function statusDocument(input: {
  readonly keyrings: readonly Keyring[];
  readonly notFound: readonly string[];
  readonly source: string;
  readonly now: Date;
}): StatusDocument {
  return {
    apiVersion: STATUS_API_VERSION,
    kind: 'Status',
    readAt: input.now.toISOString(),
    source: input.source,
    issuers: input.keyrings.map(issuerStatus),
    notFound: [...input.notFound],
  };
}

function issuerStatus(keyring: Keyring): StatusDocument['issuers'][number] {
  const { rotation, lastRotation } = keyring;
  return {
    issuerId: keyring.issuerId,
    issuerUrl: keyring.issuerUrl,
    policy: Object.fromEntries(
      Object.entries(keyring.policy).filter(
        (entry): entry is [string, string | number] =>
          typeof entry[1] === 'string' || typeof entry[1] === 'number',
      ),
    ),
    keys: keyring.keys.map((key) => ({
      kid: key.kid,
      state: key.state,
      origin: key.origin,
      rotationId: key.rotationId,
      bits: key.bits,
      ...(key.removeAfter === undefined || key.state === 'removed' ? {} : { removeAfter: key.removeAfter }),
      ...(key.failure === undefined ? {} : { failure: key.failure }),
      events: keyEvents(key).map((event: KeyEvent) => ({ event: event.event, at: event.at })),
    })),
    ...(rotation === undefined
      ? {}
      : {
          rotation: {
            id: rotation.id,
            mode: rotation.mode,
            startedAt: rotation.startedAt,
            ...(rotation.newKid === undefined ? {} : { newKid: rotation.newKid }),
            ...(rotation.abortFailedAt === undefined ? {} : { abortFailedAt: rotation.abortFailedAt }),
            goOn: goOnText(rotation),
          },
        }),
    ...(lastRotation === undefined
      ? {}
      : {
          lastRotation: {
            id: lastRotation.id,
            mode: lastRotation.mode,
            outcome: lastRotation.outcome,
            finishedAt: lastRotation.finishedAt,
            ...(lastRotation.reason === undefined ? {} : { reason: lastRotation.reason }),
          },
        }),
  };
}
