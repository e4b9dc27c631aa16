import { generate } from 'selfsigned';

/** A throwaway certificate authority and the server certificate it signed. */
export interface SimulatorTls {
  /** The CA certificate clients trust (the kubeconfig's certificate-authority-data). */
  readonly caPem: string;
  /** The server certificate, for 127.0.0.1, ::1 and localhost. */
  readonly certPem: string;
  /** The server certificate's private key; lives only in this process. */
  readonly keyPem: string;
}

const HOUR_MS = 3600 * 1000;

/**
 * Generates a fresh CA and a server certificate for the loopback names, so clients keep TLS verification
 * on. ECDSA P-256 with SHA-256: quick to generate, and accepted by Go (kubectl), OpenSSL (node) and the
 * rest. Valid from an hour ago (clock skew) for 30 days, in real time whatever the model's clock says.
 */
export async function generateSimulatorTls(now: Date = new Date()): Promise<SimulatorTls> {
  const validity = {
    notBeforeDate: new Date(now.getTime() - HOUR_MS),
    notAfterDate: new Date(now.getTime() + 30 * 24 * HOUR_MS),
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  } as const;
  const ca = await generate([{ name: 'commonName', value: 'keyturn OpenShift simulator CA' }], {
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...validity,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
