/**
 * keyturn's import rules, as data: docs/architecture.md quotes this table and
 * test/architecture/architecture.test.ts enforces it over the import graph.
 *
 * A scope is a repository path: `shared/` (a folder, everything under it), `shared/*.ts` (a glob: `*`
 * matches within one path segment) or an exact file. A package pattern is a name (`jose`) or a scope
 * (`@aws-sdk/*`: every package of the scope).
 */

/** Files in `from` never import files in `to` (except files in `except`). */
export interface ForbiddenImportRule {
  readonly kind: 'forbid';
  readonly id: string;
  readonly rule: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** Allowed targets inside `to`. @default none */
  readonly except?: readonly string[];
}

/** Files in different sub-folders of `folder` never import each other. */
export interface IsolatedFoldersRule {
  readonly kind: 'isolate';
  readonly id: string;
  readonly rule: string;
  readonly folder: string;
}

/** The packages are imported only in `onlyIn`, plus `alsoIn` for the stated reason. */
export interface ConfinedPackageRule {
  readonly kind: 'confine';
  readonly id: string;
  readonly rule: string;
  readonly packages: readonly string[];
  readonly onlyIn: readonly string[];
  /** Further scopes (tests) allowed to import the packages, and why. @default none */
  readonly alsoIn?: { readonly scopes: readonly string[]; readonly reason: string };
}

/** Files in `files` import only Node built-ins (`node:*`), so that importing them stays cheap. */
export interface LeafModuleRule {
  readonly kind: 'leaf';
  readonly id: string;
  readonly rule: string;
  readonly files: readonly string[];
}

/** An import that crosses a top-level folder uses a package.json `#` alias, never `../`. */
export interface AliasAcrossFoldersRule {
  readonly kind: 'alias-across-folders';
  readonly id: string;
  readonly rule: string;
}

/** One import rule. */
export type ImportRule =
  | ForbiddenImportRule
  | IsolatedFoldersRule
  | ConfinedPackageRule
  | LeafModuleRule
  | AliasAcrossFoldersRule;

/** The domain: everything in shared/ but the adapters. */
const DOMAIN = [
  'shared/keys/',
  'shared/issuer/',
  'shared/keyring/',
  'shared/rotation/',
  'shared/preflight/',
  'shared/tokens/',
  'shared/*.ts',
];

/** The code that ships (everything but tests and benchmarks). */
const PRODUCT = ['shared/', 'functions/', 'infra/', 'cli/', 'local/'];

/** The rules, in the order the architecture test reports them. */
export const IMPORT_RULES: readonly ImportRule[] = [
  {
    kind: 'forbid',
    id: 'shared-is-the-core',
    rule: 'shared/ imports nothing from functions/, infra/, cli/, local/, test/ or bench/',
    from: ['shared/'],
    to: ['functions/', 'infra/', 'cli/', 'local/', 'test/', 'bench/'],
  },
  {
    kind: 'forbid',
    id: 'domain-without-adapters',
    rule: 'the domain (shared/keys, issuer, keyring, rotation, tokens, shared/*.ts) never imports shared/adapters/',
    from: DOMAIN,
    to: ['shared/adapters/'],
  },
  {
    kind: 'isolate',
    id: 'adapters-apart',
    rule: 'one adapter never imports another (shared/adapters/aws ↛ shared/adapters/local, ...)',
    folder: 'shared/adapters/',
  },
  {
    kind: 'forbid',
    id: 'local-without-cli',
    rule: 'local/ (the embedded runtime) never imports cli/ (its presentation)',
    from: ['local/'],
    to: ['cli/'],
  },
  {
    kind: 'forbid',
    id: 'handlers-stay-lambda',
    rule: 'functions/ never imports infra/, cli/ or local/: a Lambda bundle holds handlers and shared/ only',
    from: ['functions/'],
    to: ['infra/', 'cli/', 'local/'],
  },
  {
    kind: 'forbid',
    id: 'local-takes-only-workflows-from-infra',
    rule: 'local/ imports from infra/ only infra/workflows/index.ts (the ASL files), never CDK code',
    from: ['local/'],
    to: ['infra/'],
    except: ['infra/workflows/index.ts'],
  },
  {
    kind: 'leaf',
    id: 'workflow-files-are-a-leaf',
    rule: 'infra/workflows/index.ts imports Node built-ins only, so local/ can import it cheaply',
    files: ['infra/workflows/index.ts'],
  },
  {
    kind: 'forbid',
    id: 'product-without-tests',
    rule: 'shipped code (shared, functions, infra, cli, local) never imports test/ or bench/',
    from: PRODUCT,
    to: ['test/', 'bench/'],
  },
  {
    kind: 'confine',
    id: 'aws-sdk-in-aws-adapter',
    rule: '@aws-sdk/* (and aws-sdk-client-mock) is imported only in shared/adapters/aws/; infra/ uses aws-cdk-lib',
    packages: ['@aws-sdk/*', 'aws-sdk-client-mock'],
    onlyIn: ['shared/adapters/aws/'],
    alsoIn: {
      scopes: ['test/shared/adapters/aws/', 'test/fakes/aws/', 'test/contracts/'],
      reason:
        'the AWS fakes stand in for the services at the SDK client boundary; the AWS adapter tests and the port contract suites hand the adapters SDK clients backed by them',
    },
  },
  {
    kind: 'confine',
    id: 'kubernetes-client-in-openshift-adapter',
    rule: '@kubernetes/client-node is imported only in shared/adapters/openshift/',
    packages: ['@kubernetes/client-node'],
    onlyIn: ['shared/adapters/openshift/'],
  },
  {
    kind: 'confine',
    id: 'jose-in-tokens',
    rule: 'jose is imported only in shared/tokens/',
    packages: ['jose'],
    onlyIn: ['shared/tokens/'],
    alsoIn: {
      scopes: ['test/shared/tokens/', 'test/shared/adapters/', 'test/local/openshift-sim/'],
      reason:
        'tests of code that signs or verifies tokens (the verifier, the cluster signers, the STS probe, the simulator) check its tokens with jose as an independent oracle',
    },
  },
  {
    kind: 'confine',
    id: 'cdk-in-infra',
    rule: 'aws-cdk-lib and constructs are imported only in infra/',
    packages: ['aws-cdk-lib', 'constructs'],
    onlyIn: ['infra/'],
    alsoIn: { scopes: ['test/infra/'], reason: 'the infra tests synthesize the stack' },
  },
  {
    kind: 'alias-across-folders',
    id: 'aliases-across-folders',
    rule: 'an import that crosses a top-level folder uses a # alias (#shared/…, #functions/…), never ../',
  },
];
