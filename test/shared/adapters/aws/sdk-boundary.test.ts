import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const SOURCE_DIRECTORIES = ['shared', 'functions', 'cli', 'local', 'infra'];

async function sourceFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const directory of SOURCE_DIRECTORIES) {
    const entries = await readdir(join(ROOT, directory), { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (entry.isFile() && /\.(ts|js)$/.test(entry.name)) files.push(join(entry.parentPath, entry.name));
    }
  }
  return files;
}

describe('the AWS SDK boundary', () => {
  it('keeps every AWS SDK import inside shared/adapters/aws/', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles()) {
      const path = relative(ROOT, file);
      if (!path.startsWith('shared/adapters/aws/') && /from '@aws-sdk\//.test(await readFile(file, 'utf8'))) {
        offenders.push(path);
      }
    }

    expect(offenders).toEqual([]);
  });

  it('creates each SDK client once, in clients.ts', async () => {
    const creators: string[] = [];
    for (const file of await sourceFiles()) {
      if (
        /new (KMS|SecretsManager|S3|CloudFront|STS|SFN|CloudFormation)Client\(/.test(
          await readFile(file, 'utf8'),
        )
      ) {
        creators.push(relative(ROOT, file));
      }
    }

    expect(creators).toEqual(['shared/adapters/aws/clients.ts']);
  });
});
