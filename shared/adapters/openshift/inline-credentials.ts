import { loadYaml } from '@kubernetes/client-node';

/**
 * User fields that make a kubeconfig's reader run a program (`exec`, `auth-provider`: gcp and azure run
 * commands, oidc refreshes against a URL) or read a local file (`token-file`, which client-node reads for
 * every user while loading; kubectl's `tokenFile`; certificate and key paths). The `-data` forms and
 * `token` carry the credential itself and stay allowed.
 */
const USER_FIELDS = ['exec', 'auth-provider', 'token-file', 'tokenFile', 'client-certificate', 'client-key'];

/** Cluster fields that name a local file; `certificate-authority-data` carries the CA itself. */
const CLUSTER_FIELDS = ['certificate-authority'];

/**
 * Finds, in a kubeconfig's text, every user or cluster field that would make keyturn run a program or
 * read a local file for credentials, as positions such as `users[0].user.exec` (never names or values:
 * the text holds secrets). Runs on the text, before client-node loads it, because client-node reads
 * `token-file` while loading. Parses with client-node's own YAML loader, so both see the same document;
 * throws what that loader throws, or an Error when `kind` is not `Config` (the loader would reshape such
 * a document as the kind it names, hiding fields client-node still reads).
 */
export function findLocalCredentialReferences(text: string): string[] {
  const root = asRecord(loadYaml<unknown>(text));
  if (root?.kind !== undefined && root.kind !== 'Config') {
    throw new Error("its kind is not Config, as a kubeconfig's is");
  }
  return [
    ...referencesIn(root?.users, 'users', 'user', USER_FIELDS),
    ...referencesIn(root?.clusters, 'clusters', 'cluster', CLUSTER_FIELDS),
  ];
}

/** `<list>[i].<member>.<field>` for every field of `fields` set (not null) in a `users` or `clusters` list. */
function referencesIn(entries: unknown, list: string, member: string, fields: readonly string[]): string[] {
  if (!Array.isArray(entries)) {
    return [];
  }
  return entries.flatMap((entry, index) => {
    const body = asRecord(asRecord(entry)?.[member]);
    return fields
      .filter((field) => body?.[field] !== undefined && body[field] !== null)
      .map((field) => `${list}[${index}].${member}.${field}`);
  });
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}
