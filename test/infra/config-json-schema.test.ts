import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from '#infra/config/config-json-schema.ts';

describe('infra/config/keyturn-config.schema.json', () => {
  it('is the JSON Schema of the config as the zod schema defines it (refresh: KEYTURN_WRITE_CONFIG_SCHEMA=1)', () => {
    const generated = configJsonSchema();
    if (process.env.KEYTURN_WRITE_CONFIG_SCHEMA === '1') writeFileSync(CONFIG_JSON_SCHEMA_PATH, generated);

    // Compared as JSON: the formatter may lay the committed file out differently.
    expect(JSON.parse(readFileSync(CONFIG_JSON_SCHEMA_PATH, 'utf8'))).toEqual(JSON.parse(generated));
  });

  it('is the schema the committed config names', () => {
    const config = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'keyturn.config.json'), 'utf8'),
    );
    expect(config.$schema).toBe('./infra/config/keyturn-config.schema.json');
  });
});
