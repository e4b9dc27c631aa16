import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The keyturn CDK app. For now it declares the (empty) stack that the infrastructure issue fills with
 * the issuer hosting, signing keys, rotation service and triggers; cdk-nag's AwsSolutions checks are
 * already on, so every construct added later is checked from its first synth.
 */
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new Stack(app, 'Keyturn', {
  description: 'keyturn: OIDC issuer and service-account signing key rotation for clusters using AWS STS',
});
app.synth();
