import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadKeyturnConfig } from './config/load-config.ts';
import { loadIamInventory } from './constructs/iam-inventory.ts';
import { KeyturnStack } from './stacks/keyturn-stack.ts';

/**
 * The keyturn CDK app: one stack from a validated config file (`-c config=FILE`, else KEYTURN_CONFIG,
 * else ./keyturn.config.json). cdk-nag's AwsSolutions checks run on every synth; a finding fails it.
 */
const app = new App();
const configPath = resolve(
  String(app.node.tryGetContext('config') ?? process.env.KEYTURN_CONFIG ?? 'keyturn.config.json'),
);
try {
  const config = loadKeyturnConfig(configPath);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new KeyturnStack(app, config.stackName, {
    config,
    inventory: loadIamInventory(),
    description: 'keyturn: OIDC issuer and service-account signing key rotation for clusters using AWS STS',
    ...(config.env === undefined ? {} : { env: config.env }),
  });
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`keyturn config error: ${error.message}\n`);
  process.exit(2);
}
