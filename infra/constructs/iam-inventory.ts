import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The resources keyturn's functions act on, as named in infra/iam-inventory.json. */
export const RESOURCE_ROLES = [
  'state-bucket',
  'issuer-bucket',
  'distribution',
  'kms-key',
  'keyring-mac-key',
  'signing-key-secrets',
  'cluster-credentials',
] as const;

/** One of {@link RESOURCE_ROLES}. */
export type ResourceRole = (typeof RESOURCE_ROLES)[number];

const ACTION = /^(s3|kms|secretsmanager|cloudfront):[A-Za-z]+$/;

const entrySchema = z.strictObject({
  commands: z.array(z.string()),
  actions: z.array(z.string().regex(ACTION)),
  resources: z.partialRecord(z.enum(RESOURCE_ROLES), z.array(z.string().regex(ACTION)).min(1)),
});

/** What one function does to which resource: IAM actions per resource role. */
export type InventoryEntry = z.output<typeof entrySchema>;

/** The IAM inventory: function (task) name → its entry. */
export type IamInventory = Readonly<Record<string, InventoryEntry>>;

/** The committed inventory, recorded by test/shared/adapters/aws/iam-inventory.test.ts. */
export const IAM_INVENTORY_PATH = join(import.meta.dirname, '..', 'iam-inventory.json');

/** Reads and checks the IAM inventory; each function's `actions` must be the union of its resources. */
export function loadIamInventory(path = IAM_INVENTORY_PATH): IamInventory {
  const parsed = z.record(z.string(), entrySchema).parse(JSON.parse(readFileSync(path, 'utf8')));
  for (const [name, entry] of Object.entries(parsed)) {
    const union = [...new Set(Object.values(entry.resources).flat())].sort();
    if (JSON.stringify(union) !== JSON.stringify([...entry.actions].sort())) {
      throw new Error(
        `${path}: ${name}: actions differ from the union of its resources; regenerate the inventory`,
      );
    }
  }
  return parsed;
}
