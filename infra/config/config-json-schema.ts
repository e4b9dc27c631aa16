import { join } from 'node:path';
import { z } from 'zod';
import { keyturnConfigSchema } from './keyturn-config.ts';

/** Where the JSON Schema of keyturn.config.json is committed, for editors (`"$schema"` in the file). */
export const CONFIG_JSON_SCHEMA_PATH = join(import.meta.dirname, 'keyturn-config.schema.json');

/**
 * The JSON Schema of keyturn.config.json, generated from the zod schema: field types, patterns and
 * defaults. The rules across fields (unique ids, domain with certificate, ...) are checked only by
 * parseKeyturnConfig.
 */
export function configJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(keyturnConfigSchema, { io: 'input' }), null, 2)}\n`;
}
