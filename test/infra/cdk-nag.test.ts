import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { FULL_CONFIG, synthForSuite, synthStack } from './synth-stack.ts';

interface Violation {
  readonly ruleName: string;
  readonly violatingResources: readonly { readonly constructPath: string }[];
}

/** cdk-nag AwsSolutions findings left unacknowledged, as `rule @ construct` lines. */
function findings(stack: Stack): string[] {
  const result = new AwsSolutionsChecks().validateScope(stack) as { violations?: readonly Violation[] };
  return (result.violations ?? []).flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  const minimal = synthForSuite();
  const full = synthForSuite(FULL_CONFIG);

  it('finds nothing unacknowledged in the default deployment', () => {
    expect(findings(minimal.stack)).toEqual([]);
  });

  it('finds nothing unacknowledged with every option on (custom domain, WAF, VPC, migrated issuer)', () => {
    expect(findings(full.stack)).toEqual([]);
  });

  it('still reports a new finding: the acknowledgements are narrow, not blanket', () => {
    const extra = synthStack();
    try {
      // Prepare: a careless addition, an unlogged bucket without SSL enforcement.
      new s3.Bucket(extra.stack, 'Careless', { removalPolicy: RemovalPolicy.DESTROY });

      // Act / Assess
      const found = findings(extra.stack);
      expect(found).toContain(`AwsSolutions-S1 @ ${extra.stack.stackName}/Careless/Resource`);
      expect(found).toContain(`AwsSolutions-S10 @ ${extra.stack.stackName}/Careless/Resource`);
    } finally {
      extra.dispose();
    }
  });

  it('acknowledges the issuer-hosting TLS and WAF findings only when no custom domain or web ACL is configured', () => {
    const acknowledged = (stack: Stack) =>
      JSON.stringify(
        stack.node.findAll().flatMap((construct) => construct.node.metadata.map((entry) => entry.data)),
      );
    expect(acknowledged(minimal.stack)).toContain('AwsSolutions-CFR4');
    expect(acknowledged(full.stack)).not.toContain('AwsSolutions-CFR4');
    expect(acknowledged(full.stack)).not.toContain('AwsSolutions-CFR2');
  });
});
