import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { statementsFor } from '#infra/constructs/inventory-grants.ts';
import { SigningKeys } from '#infra/constructs/signing-keys.ts';

const OPERATOR = 'arn:aws:iam::111122223333:role/keyturn-operator';

/** SigningKeys alone in a stack, with one function role granted the MAC key as its inventory lists. */
function synthSigningKeys(macActions: readonly string[]) {
  const stack = new Stack(new App(), 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
  const signing = new SigningKeys(stack, 'SigningKeys', {
    accessLogsBucket: new s3.Bucket(stack, 'Logs'),
    operatorRoleArns: [OPERATOR],
  });
  const role = new iam.Role(stack, 'PublishRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  signing.allowFunctionKeyringMac('publish', role, macActions);
  return { stack, signing, template: Template.fromStack(stack) };
}

/** The statements of the HMAC key's policy, by Sid. */
function macKeyStatements(template: Template): Record<string, { Action: unknown; Principal: unknown }> {
  const keys = Object.values(
    template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'HMAC_256' } }),
  );
  expect(keys).toHaveLength(1);
  const statements = keys[0]?.Properties.KeyPolicy.Statement as {
    Sid: string;
    Action: unknown;
    Principal: unknown;
  }[];
  return Object.fromEntries(statements.map((statement) => [statement.Sid, statement]));
}

describe('SigningKeys: the keyring HMAC key', () => {
  it('SEALED: creates an HMAC_256 key for GENERATE_VERIFY_MAC, kept on stack deletion', () => {
    // Act
    const { template } = synthSigningKeys(['kms:GenerateMac', 'kms:VerifyMac']);

    // Assess
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    template.hasResource('AWS::KMS::Key', {
      Properties: { KeySpec: 'HMAC_256' },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::KMS::Key', 2);
  });

  it('SEALED: lets only the account administer it, and only the granted roles and operators make or check MACs', () => {
    // Act
    const { template } = synthSigningKeys(['kms:GenerateMac', 'kms:VerifyMac']);

    // Assess
    const statements = macKeyStatements(template);
    expect(Object.keys(statements).sort()).toEqual([
      'AccountAdministersButDoesNotUse',
      'FunctionPublish',
      'Operators',
    ]);
    expect(JSON.stringify(statements.AccountAdministersButDoesNotUse?.Action)).not.toMatch(/Mac/);
    expect(statements.FunctionPublish?.Action).toEqual(['kms:GenerateMac', 'kms:VerifyMac']);
    expect(statements.Operators).toMatchObject({
      Action: ['kms:GenerateMac', 'kms:VerifyMac'],
      Principal: { AWS: OPERATOR },
    });
  });

  it('adds no statement for a function whose inventory lists no MAC action', () => {
    // Act
    const { template } = synthSigningKeys([]);

    // Assess
    expect(Object.keys(macKeyStatements(template))).not.toContain('FunctionPublish');
  });

  it('grants the inventory’s keyring-mac-key actions on the HMAC key only', () => {
    // Prepare
    const stack = new Stack();
    const targets = {
      stateBucket: new s3.Bucket(stack, 'State'),
      issuers: [],
      keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/cmk',
      keyringMacKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/mac',
      secretsManagerService: 'secretsmanager.eu-west-1.amazonaws.com',
      secretArn: (name: string) => name,
    };
    const entry = {
      commands: ['VerifyMacCommand'],
      actions: ['kms:VerifyMac'],
      resources: { 'keyring-mac-key': ['kms:VerifyMac'] },
    };

    // Act
    const statements = statementsFor(entry, targets).map((statement) => statement.toStatementJson());

    // Assess
    expect(statements).toEqual([
      { Action: 'kms:VerifyMac', Effect: 'Allow', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/mac' },
    ]);
  });
});
