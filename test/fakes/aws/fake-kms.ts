import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  generateKeyPair,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';
import {
  CancelKeyDeletionCommand,
  type CancelKeyDeletionCommandInput,
  DecryptCommand,
  type DecryptCommandInput,
  DisabledException,
  DisableKeyCommand,
  type DisableKeyCommandInput,
  EnableKeyCommand,
  type EnableKeyCommandInput,
  EncryptCommand,
  type EncryptCommandInput,
  GenerateDataKeyPairCommand,
  type GenerateDataKeyPairCommandInput,
  type GenerateDataKeyPairCommandOutput,
  GenerateMacCommand,
  type GenerateMacCommandInput,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidMacException,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
  ScheduleKeyDeletionCommand,
  type ScheduleKeyDeletionCommandInput,
  VerifyMacCommand,
  type VerifyMacCommandInput,
} from '@aws-sdk/client-kms';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  createFakeServiceCore,
  FAKE_ACCOUNT,
  FAKE_CALLER_ARN,
  FAKE_REGION,
  type FaultInjector,
  iamActionOf,
  type RecordedCall,
  responseMetadata,
} from './fake-aws.ts';

const generateRsa = promisify(generateKeyPair);

/** The key specs the fake models: AES-256 encryption keys and HMAC-SHA-256 keys. */
export type FakeKmsKeySpec = 'SYMMETRIC_DEFAULT' | 'HMAC_256';

/** A KMS key state the fake models. */
export type FakeKmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** What a test may read about a customer-managed key (never its material). */
export interface FakeKmsKey {
  readonly keyId: string;
  readonly arn: string;
  readonly state: FakeKmsKeyState;
  readonly keySpec: FakeKmsKeySpec;
}

/** Encryption context as KMS takes it. */
export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * A stateful KMS: symmetric customer-managed keys with a real random AES-256 key each, key states, and
 * GenerateDataKeyPair / Encrypt / Decrypt / DisableKey / EnableKey / ScheduleKeyDeletion /
 * CancelKeyDeletion behind `aws-sdk-client-mock`. Ciphertext is AES-256-GCM under the key, with the key id
 * and the encryption context authenticated, so it only decrypts under the key that made it. HMAC keys
 * (`keySpec: 'HMAC_256'`) have random material of their own and answer GenerateMac / VerifyMac with real
 * HMAC-SHA-256; as in AWS, VerifyMac of a wrong MAC throws KMSInvalidMacException (it never answers
 * MacValid false), and a key used for what its spec cannot do throws InvalidKeyUsageException.
 */
export interface FakeKms extends FaultInjector {
  readonly region: string;
  readonly account: string;
  /** Every command received, in order, without plaintext. */
  readonly calls: RecordedCall[];
  /** Creates an enabled key (symmetric unless `keySpec` says HMAC_256); `alias` (`alias/name`) also resolves to it. */
  createKey(options?: { readonly alias?: string; readonly keySpec?: FakeKmsKeySpec }): FakeKmsKey;
  /** The key named by id, ARN, alias or alias ARN, if any. */
  key(keyId: string): FakeKmsKey | undefined;
  disableKey(keyId: string): void;
  enableKey(keyId: string): void;
  scheduleKeyDeletion(keyId: string): void;
  /** Encrypts as Secrets Manager does on its caller's behalf (not recorded in `calls`, no faults). */
  encrypt(keyId: string, plaintext: Uint8Array, context?: EncryptionContext): Uint8Array;
  /** Decrypts as Secrets Manager does on its caller's behalf; throws the errors KMS would. */
  decrypt(blob: Uint8Array, context?: EncryptionContext, keyId?: string): Uint8Array;
  /** Every PrivateKeyPlaintext handed out, so a test can check the caller zeroed it (SEALED). */
  readonly plaintextsReturned: readonly Uint8Array[];
  /** Mocks `send` of KMSClient (all instances) or of one client; `restore()` the result after the test. */
  install(target?: KMSClient | typeof KMSClient): AwsClientStub<KMSClient>;
}

interface KeyRecord {
  keyId: string;
  arn: string;
  state: FakeKmsKeyState;
  readonly keySpec: FakeKmsKeySpec;
  readonly material: Buffer;
}

const BLOB_MAGIC = Buffer.from('fkms1');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const RSA_SPECS: Readonly<Record<string, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

function kmsError(name: string, status: number, message: string): Error {
  const options = { message, $metadata: responseMetadata(status) };
  switch (name) {
    case 'DisabledException':
      return new DisabledException(options);
    case 'KMSInvalidStateException':
      return new KMSInvalidStateException(options);
    case 'NotFoundException':
      return new NotFoundException(options);
    case 'InvalidCiphertextException':
      return new InvalidCiphertextException(options);
    case 'IncorrectKeyException':
      return new IncorrectKeyException(options);
    case 'InvalidKeyUsageException':
      return new InvalidKeyUsageException(options);
    case 'KMSInvalidMacException':
      return new KMSInvalidMacException(options);
    default:
      // Unmodelled errors (throttling, access denied, validation) reach callers as the service base class.
      return new KMSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', ...options });
  }
}

/** Creates an empty fake KMS in account 111122223333, eu-west-1. */
export function createFakeKms(): FakeKms {
  const keys = new Map<string, KeyRecord>();
  const aliases = new Map<string, string>();
  const plaintextsReturned: Uint8Array[] = [];
  const core = createFakeServiceCore({
    throttled: () => kmsError('ThrottlingException', 400, 'Rate exceeded'),
    denied: (command) =>
      kmsError(
        'AccessDeniedException',
        400,
        `User: ${FAKE_CALLER_ARN} is not authorized to perform: ${iamActionOf('kms', command)} because no identity-based policy allows the ${iamActionOf('kms', command)} action`,
      ),
  });

  const find = (keyId: string): KeyRecord => {
    const alias = keyId.replace(/^arn:aws:kms:[^:]+:\d+:/, '');
    const id = alias.startsWith('alias/')
      ? aliases.get(alias)
      : keyId.replace(/^arn:aws:kms:[^:]+:\d+:key\//, '');
    const record = id === undefined ? undefined : keys.get(id);
    if (record === undefined) {
      throw kmsError('NotFoundException', 404, `Key '${keyId}' does not exist`);
    }
    return record;
  };
  const usable = (keyId: string): KeyRecord => {
    const record = find(keyId);
    if (record.state === 'Disabled') {
      throw kmsError('DisabledException', 409, `${record.arn} is disabled.`);
    }
    if (record.state === 'PendingDeletion') {
      throw kmsError('KMSInvalidStateException', 409, `${record.arn} is pending deletion.`);
    }
    return record;
  };
  /** A usable key of `spec`; another spec is InvalidKeyUsageException, as KMS answers. */
  const usableFor = (keyId: string, spec: FakeKmsKeySpec, operation: string): KeyRecord => {
    const record = usable(keyId);
    if (record.keySpec !== spec) {
      throw kmsError(
        'InvalidKeyUsageException',
        400,
        `${record.arn} key usage is ${record.keySpec === 'HMAC_256' ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT'} which is not valid for ${operation}.`,
      );
    }
    return record;
  };
  const hmacOf = (keyId: string, message: Uint8Array | undefined, algorithm: string | undefined) => {
    const record = usableFor(keyId, 'HMAC_256', 'GenerateMac or VerifyMac');
    if (algorithm !== 'HMAC_SHA_256') {
      throw kmsError(
        'InvalidKeyUsageException',
        400,
        `${record.arn} supports HMAC_SHA_256, not ${String(algorithm)}.`,
      );
    }
    return {
      record,
      mac: createHmac('sha256', record.material)
        .update(message ?? new Uint8Array())
        .digest(),
    };
  };
  const aad = (keyId: string, context: EncryptionContext = {}): Buffer =>
    Buffer.from(JSON.stringify([keyId, Object.entries(context).sort(([a], [b]) => a.localeCompare(b))]));

  const encrypt = (keyId: string, plaintext: Uint8Array, context?: EncryptionContext): Uint8Array => {
    const record = usableFor(keyId, 'SYMMETRIC_DEFAULT', 'Encrypt');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', record.material, iv).setAAD(aad(record.keyId, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(record.keyId);
    return new Uint8Array(
      Buffer.concat([BLOB_MAGIC, Buffer.of(id.length), id, iv, cipher.getAuthTag(), body]),
    );
  };

  const decrypt = (blob: Uint8Array, context?: EncryptionContext, keyId?: string): Uint8Array => {
    const invalid = () => kmsError('InvalidCiphertextException', 400, '');
    const parts = parseBlob(blob);
    const record = parts === undefined ? undefined : keys.get(parts.keyId);
    if (parts === undefined || record === undefined) throw invalid();
    if (keyId !== undefined && find(keyId).keyId !== record.keyId) {
      throw kmsError(
        'IncorrectKeyException',
        400,
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
    }
    usable(record.keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', record.material, parts.iv)
        .setAAD(aad(record.keyId, context))
        .setAuthTag(parts.tag);
      return new Uint8Array(Buffer.concat([decipher.update(parts.body), decipher.final()]));
    } catch {
      throw invalid();
    }
  };

  const setState = (keyId: string, state: FakeKmsKeyState): KeyRecord => {
    const record = find(keyId);
    if (record.state === 'PendingDeletion') {
      throw kmsError('KMSInvalidStateException', 409, `${record.arn} is pending deletion.`);
    }
    record.state = state;
    return record;
  };

  const generateDataKeyPair = async (
    input: GenerateDataKeyPairCommandInput,
  ): Promise<Omit<GenerateDataKeyPairCommandOutput, '$metadata'>> => {
    const bits = RSA_SPECS[input.KeyPairSpec ?? ''];
    if (bits === undefined) {
      throw kmsError(
        'ValidationException',
        400,
        `the fake KMS only makes RSA pairs, not ${input.KeyPairSpec}`,
      );
    }
    const record = usableFor(input.KeyId ?? '', 'SYMMETRIC_DEFAULT', 'GenerateDataKeyPair');
    const { publicKey, privateKey } = await generateRsa('rsa', {
      modulusLength: bits,
      publicExponent: 0x10001,
    });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const plaintext = new Uint8Array(pkcs8);
    pkcs8.fill(0);
    plaintextsReturned.push(plaintext);
    return {
      KeyId: record.arn,
      KeyPairSpec: input.KeyPairSpec,
      PublicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      PrivateKeyPlaintext: plaintext,
      PrivateKeyCiphertextBlob: encrypt(record.keyId, plaintext, input.EncryptionContext),
    };
  };

  const fake: FakeKms = {
    region: FAKE_REGION,
    account: FAKE_ACCOUNT,
    calls: core.calls,
    throttleNext: core.throttleNext,
    denyNext: core.denyNext,
    failNext: core.failNext,
    plaintextsReturned,
    createKey(options = {}) {
      const keyId = randomUUID();
      const record: KeyRecord = {
        keyId,
        arn: `arn:aws:kms:${FAKE_REGION}:${FAKE_ACCOUNT}:key/${keyId}`,
        state: 'Enabled',
        keySpec: options.keySpec ?? 'SYMMETRIC_DEFAULT',
        material: randomBytes(32),
      };
      keys.set(keyId, record);
      if (options.alias !== undefined) aliases.set(options.alias, keyId);
      return view(record);
    },
    key(keyId) {
      try {
        return view(find(keyId));
      } catch {
        return undefined;
      }
    },
    disableKey: (keyId) => void setState(keyId, 'Disabled'),
    enableKey: (keyId) => void setState(keyId, 'Enabled'),
    scheduleKeyDeletion: (keyId) => void setState(keyId, 'PendingDeletion'),
    encrypt,
    decrypt,
    install(target = KMSClient) {
      const stub = mockClient(target);
      stub.onAnyCommand().rejects(new Error('the fake KMS does not implement this command'));
      stub
        .on(GenerateDataKeyPairCommand)
        .callsFake((input: GenerateDataKeyPairCommandInput) =>
          core.handle('GenerateDataKeyPairCommand', input, () => generateDataKeyPair(input)),
        );
      stub.on(EncryptCommand).callsFake((input: EncryptCommandInput) =>
        core.handle('EncryptCommand', input, () => {
          const record = usable(input.KeyId ?? '');
          const blob = encrypt(record.keyId, input.Plaintext ?? new Uint8Array(), input.EncryptionContext);
          return { CiphertextBlob: blob, KeyId: record.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
        }),
      );
      stub.on(GenerateMacCommand).callsFake((input: GenerateMacCommandInput) =>
        core.handle('GenerateMacCommand', input, () => {
          const { record, mac } = hmacOf(input.KeyId ?? '', input.Message, input.MacAlgorithm);
          return { Mac: new Uint8Array(mac), KeyId: record.arn, MacAlgorithm: input.MacAlgorithm };
        }),
      );
      stub.on(VerifyMacCommand).callsFake((input: VerifyMacCommandInput) =>
        core.handle('VerifyMacCommand', input, () => {
          const { record, mac } = hmacOf(input.KeyId ?? '', input.Message, input.MacAlgorithm);
          const given = Buffer.from(input.Mac ?? new Uint8Array());
          if (given.length !== mac.length || !timingSafeEqual(given, mac)) {
            throw kmsError('KMSInvalidMacException', 400, '');
          }
          return { KeyId: record.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
        }),
      );
      stub.on(DecryptCommand).callsFake((input: DecryptCommandInput) =>
        core.handle('DecryptCommand', input, () => {
          const blob = input.CiphertextBlob ?? new Uint8Array();
          const plaintext = decrypt(blob, input.EncryptionContext, input.KeyId);
          return { Plaintext: plaintext, KeyId: find(parseBlob(blob)?.keyId ?? '').arn };
        }),
      );
      stub.on(DisableKeyCommand).callsFake((input: DisableKeyCommandInput) =>
        core.handle('DisableKeyCommand', input, () => {
          setState(input.KeyId ?? '', 'Disabled');
          return {};
        }),
      );
      stub.on(EnableKeyCommand).callsFake((input: EnableKeyCommandInput) =>
        core.handle('EnableKeyCommand', input, () => {
          setState(input.KeyId ?? '', 'Enabled');
          return {};
        }),
      );
      stub.on(ScheduleKeyDeletionCommand).callsFake((input: ScheduleKeyDeletionCommandInput) =>
        core.handle('ScheduleKeyDeletionCommand', input, () => {
          const days = input.PendingWindowInDays ?? 30;
          const record = setState(input.KeyId ?? '', 'PendingDeletion');
          return {
            KeyId: record.arn,
            KeyState: record.state,
            PendingWindowInDays: days,
            DeletionDate: new Date(Date.now() + days * 86_400_000),
          };
        }),
      );
      stub.on(CancelKeyDeletionCommand).callsFake((input: CancelKeyDeletionCommandInput) =>
        core.handle('CancelKeyDeletionCommand', input, () => {
          const record = find(input.KeyId ?? '');
          if (record.state !== 'PendingDeletion') {
            throw kmsError('KMSInvalidStateException', 409, `${record.arn} is not pending deletion.`);
          }
          // As in AWS, a key whose deletion is cancelled comes back disabled.
          record.state = 'Disabled';
          return { KeyId: record.arn };
        }),
      );
      return stub;
    },
  };
  return fake;
}

/** Splits `magic | id length | key id | iv | tag | body`; undefined when it is not a blob of this fake. */
function parseBlob(blob: Uint8Array): { keyId: string; iv: Buffer; tag: Buffer; body: Buffer } | undefined {
  const bytes = Buffer.from(blob);
  if (!bytes.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) return undefined;
  const idEnd = BLOB_MAGIC.length + 1 + (bytes[BLOB_MAGIC.length] ?? 0);
  const tagEnd = idEnd + IV_BYTES + TAG_BYTES;
  if (bytes.length < tagEnd) return undefined;
  return {
    keyId: bytes.subarray(BLOB_MAGIC.length + 1, idEnd).toString(),
    iv: bytes.subarray(idEnd, idEnd + IV_BYTES),
    tag: bytes.subarray(idEnd + IV_BYTES, tagEnd),
    body: bytes.subarray(tagEnd),
  };
}

function view(record: KeyRecord): FakeKmsKey {
  return { keyId: record.keyId, arn: record.arn, state: record.state, keySpec: record.keySpec };
}
