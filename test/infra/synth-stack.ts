import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { parseKeyturnConfig } from '#infra/config/load-config.ts';
import { type IamInventory, loadIamInventory } from '#infra/constructs/iam-inventory.ts';
import { KeyturnStack } from '#infra/stacks/keyturn-stack.ts';

/** A synthesized keyturn stack for assertions; `dispose` removes its cloud assembly. */
export interface SynthesizedStack {
  readonly stack: KeyturnStack;
  readonly template: Template;
  readonly inventory: IamInventory;
  /** The cloud assembly directory (assets such as the workflow definitions are there). */
  readonly outdir: string;
  dispose(): void;
}

/** The smallest deployable config: one issuer, everything else defaulted. */
export const MINIMAL_CONFIG = { issuers: [{ id: 'cluster-a' }] } as const;

/** Every option on: custom domain, WAF, VPC, operators, email, a migrated ccoctl issuer, an existing provider. */
export const FULL_CONFIG = {
  stackName: 'KeyturnFull',
  env: { account: '111122223333', region: 'eu-west-1' },
  hosting: {
    domainName: 'oidc.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0b6f2bd1-6a9b-4f51-9c2f-3c5d1e0f9a11',
    webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/keyturn/3c5d1e0f',
  },
  rotation: { intervalDays: 30, maxKeyAgeDays: 45 },
  fleet: { maxConcurrency: 4, toleratedFailurePercentage: 25 },
  operatorRoleArns: ['arn:aws:iam::111122223333:role/platform-admin'],
  alarms: { email: 'platform@example.com' },
  logRetentionDays: 90,
  vpc: {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'],
    securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
  },
  issuers: [
    { id: 'prod-east', rotationIntervalDays: 60, maxKeyAgeDays: 75 },
    {
      id: 'legacy',
      oidcProvider: {
        existingArn: 'arn:aws:iam::111122223333:oidc-provider/legacy-oidc.s3.eu-west-1.amazonaws.com',
      },
      existingIssuer: {
        url: 'https://legacy-oidc.s3.eu-west-1.amazonaws.com',
        bucketName: 'legacy-oidc',
        distributionId: 'E2LEGACY0001',
      },
    },
  ],
} as const;

/**
 * Synthesizes a keyturn stack from a config value, without bundling the functions (context
 * `aws:cdk:bundling-stacks: []`) and into a temporary directory that `dispose` removes.
 */
export function synthStack(
  config: unknown = MINIMAL_CONFIG,
  inventory = loadIamInventory(),
): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'keyturn-synth-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const parsed = parseKeyturnConfig(config);
  const stack = new KeyturnStack(app, parsed.stackName, {
    config: parsed,
    inventory,
    ...(parsed.env === undefined ? {} : { env: parsed.env }),
  });
  return {
    stack,
    template: Template.fromStack(stack),
    inventory,
    outdir,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** {@link synthStack} for the enclosing `describe`, disposed after its tests. */
export function synthForSuite(config: unknown = MINIMAL_CONFIG): SynthesizedStack {
  const synthesized = synthStack(config);
  afterAll(() => synthesized.dispose());
  return synthesized;
}
