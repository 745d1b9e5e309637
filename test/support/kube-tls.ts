import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// TLS for the Kubernetes API test server, made at test time: a CA and a server certificate
// signed by it (SANs: the loopback address, localhost), so real kubectl verifies the server
// through certificate-authority-data exactly as it would a real cluster. The openssl CLI makes
// them when it is installed; otherwise a minimal X.509 writer over Node's crypto does.

export interface TlsMaterial {
  /** PEM of the CA certificate: certificate-authority-data in a kubeconfig. */
  readonly caCert: string;
  /** PEM server certificate and key for https.createServer. */
  readonly cert: string;
  readonly key: string;
  readonly generatedBy: 'openssl' | 'node';
}

export interface TlsOptions {
  /** Addresses the server certificate is valid for (default 127.0.0.1). */
  readonly ips?: readonly string[];
  /** Force one generator; default: openssl when on PATH, else Node. */
  readonly generator?: 'openssl' | 'node';
}

export function haveOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

export function makeTls(options: TlsOptions = {}): TlsMaterial {
  const ips = options.ips ?? ['127.0.0.1'];
  const generator = options.generator ?? (haveOpenssl() ? 'openssl' : 'node');
  return generator === 'openssl' ? withOpenssl(ips) : withNodeCrypto(ips);
}

function openssl(args: readonly string[], cwd: string): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
}

function withOpenssl(ips: readonly string[]): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'kube-routes-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=kube-routes-test-ca',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver'], dir);
    writeFileSync(
      join(dir, 'ext.cnf'),
      `subjectAltName=${[...ips.map((ip) => `IP:${ip}`), 'DNS:localhost'].join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        `0x${randomBytes(8).toString('hex')}`,
        '-out',
        'server.crt',
        '-days',
        '2',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { caCert: read('ca.crt'), cert: read('server.crt'), key: read('server.key'), generatedBy: 'openssl' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- A minimal DER writer: just what an X.509 v3 certificate with ECDSA P-256 needs. ---

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
const explicit = (n: number, inner: Buffer) => der(0xa0 + n, inner);
const octets = (b: Buffer) => der(0x04, b);
const bitString = (b: Buffer) => der(0x03, Buffer.concat([Buffer.from([0]), b]));
const bool = (v: boolean) => der(0x01, Buffer.from([v ? 0xff : 0]));

function oid(text: string): Buffer {
  const [a = 0, b = 0, ...rest] = text.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function integer(b: Buffer): Buffer {
  return der(0x02, b[0] !== undefined && b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

function name(cn: string): Buffer {
  return seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn, 'utf8')))));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return der(0x17, Buffer.from(text, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

function ipBytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));

function certificate(
  subject: string,
  issuer: string,
  publicKey: KeyObject,
  signer: KeyObject,
  extensions: Buffer[],
): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const now = Date.now();
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
    ecdsaWithSha256,
    name(issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 2 * 86400_000))),
    name(subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, signer); // DER-encoded ECDSA signature
  const certDer = seq(tbs, ecdsaWithSha256, bitString(signature));
  const b64 = certDer.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

function withNodeCrypto(ips: readonly string[]): TlsMaterial {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caCert = certificate('kube-routes-test-ca', 'kube-routes-test-ca', ca.publicKey, ca.privateKey, [
    extension('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
    extension('2.5.29.15', true, bitString(Buffer.from([0x06]))), // keyUsage keyCertSign, cRLSign
    extension('2.5.29.14', false, octets(keyId(ca.publicKey))), // subjectKeyIdentifier
  ]);
  const sans = Buffer.concat([
    ...ips.map((ip) => der(0x87, ipBytes(ip))),
    der(0x82, Buffer.from('localhost', 'ascii')),
  ]);
  const cert = certificate('kube-apiserver', 'kube-routes-test-ca', server.publicKey, ca.privateKey, [
    extension('2.5.29.17', false, der(0x30, sans)), // subjectAltName
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extendedKeyUsage serverAuth
    extension('2.5.29.15', true, bitString(Buffer.from([0x80]))), // keyUsage digitalSignature
    extension('2.5.29.35', false, seq(der(0x80, keyId(ca.publicKey)))), // authorityKeyIdentifier
  ]);
  return {
    caCert,
    cert,
    key: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    generatedBy: 'node',
  };
}
