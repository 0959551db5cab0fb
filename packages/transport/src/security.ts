import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { checkValidity } from './certificate-validity.js';

type CaListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityListener = grpc.experimental.IdentityCertificateUpdateListener;

/** Files of the server's TLS identity; `clientCaFile` turns on mutual TLS (clients must present a certificate it signed). */
export interface ServerTlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile?: string;
}

/** What the client trusts and presents. PEM contents, not paths (`readClientSecurity` reads files). */
export interface ClientTls {
  /** CA certificates the server's certificate must chain to (default: Node's root store). */
  ca?: Buffer;
  /** Client certificate and key, for a server that asks for mutual TLS. */
  cert?: Buffer;
  key?: Buffer;
  /** Name to check the server certificate against instead of the address's host. */
  serverName?: string;
}

/** Read a file for a flag, with a one-line error naming the flag and the file. */
export function readFlagFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`${flag}: cannot read '${file}'${code ? ` (${code})` : ''}`);
  }
}

/**
 * Parse a token file: one token a line; blank lines and lines starting with '#' are skipped, spaces
 * around a token are trimmed. Throws a one-line error naming `flag` when no token is left or a token
 * holds a space.
 */
export function parseTokens(text: string, flag: string, file: string): string[] {
  const tokens: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (/\s/.test(t)) throw new Error(`${flag}: '${file}' has a line with a space inside a token (one token a line)`);
    tokens.push(t);
  }
  if (tokens.length === 0) throw new Error(`${flag}: '${file}' holds no token (one token a line)`);
  return tokens;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * Bearer tokens a server accepts. Checks compare SHA-256 digests with `timingSafeEqual` against every
 * token, without an early exit, so the time taken says nothing about how much of a token matched or
 * which one. Tokens are never exposed (no getter, no toString).
 */
export class TokenSet {
  private digests: Buffer[];
  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  static fromFile(file: string, flag = '--auth-token-file'): TokenSet {
    return new TokenSet(parseTokens(readFlagFile(flag, file).toString('utf8'), flag, file));
  }

  get size(): number {
    return this.digests.length;
  }

  /** Replace the tokens (SIGHUP reload). */
  replace(other: TokenSet): void {
    this.digests = other.digests;
  }

  /** Whether `token` is one of the set (constant time in the token's contents). */
  has(token: string): boolean {
    const d = digest(token);
    let ok = 0;
    for (const t of this.digests) ok |= timingSafeEqual(d, t) ? 1 : 0;
    return ok === 1;
  }

  /** Whether an `authorization` header value is `Bearer <token>` with a token of the set. */
  allows(header: string | undefined): boolean {
    if (header === undefined) return false;
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    // hash something anyway so a malformed header costs the same as a wrong token
    return this.has(m ? m[1] : '') && m !== null;
  }
}

/**
 * A grpc-js certificate provider that reads the server's certificate, key and (for mutual TLS) client CA
 * from files, and again on `reload()` (SIGHUP): grpc-js then swaps the secure context of its HTTP/2
 * servers, so new connections get the new files and open ones carry on.
 */
export class FileCertificates implements grpc.experimental.CertificateProvider {
  private identity: { certificate: Buffer; privateKey: Buffer };
  private ca: Buffer | undefined;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  constructor(readonly files: ServerTlsFiles) {
    const loaded = FileCertificates.read(files);
    this.identity = loaded.identity;
    this.ca = loaded.ca;
  }

  private static read(files: ServerTlsFiles): { identity: { certificate: Buffer; privateKey: Buffer }; ca: Buffer | undefined } {
    const certificate = readFlagFile('--tls-cert', files.certFile);
    const privateKey = readFlagFile('--tls-key', files.keyFile);
    const ca = files.clientCaFile ? readFlagFile('--tls-client-ca', files.clientCaFile) : undefined;
    if (!certificate.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--tls-cert: '${files.certFile}' holds no PEM certificate`);
    checkValidity('--tls-cert', files.certFile, certificate);
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey.toString('latin1'))) {
      throw new Error(`--tls-key: '${files.keyFile}' holds no PEM private key`);
    }
    if (ca && !ca.includes('-----BEGIN CERTIFICATE-----'))
      throw new Error(`--tls-client-ca: '${files.clientCaFile}' holds no PEM certificate`);
    return { identity: { certificate, privateKey }, ca };
  }

  /** The certificate (chain) and private key in use now, PEM (the cloud's HTTPS metrics port serves them too). */
  get current(): { certificate: Buffer; privateKey: Buffer } {
    return this.identity;
  }

  /** Read the files again; on an error the old certificates stay in use and the error is thrown. */
  reload(): void {
    const loaded = FileCertificates.read(this.files);
    this.identity = loaded.identity;
    this.ca = loaded.ca;
    for (const l of this.identityListeners) l(this.identity);
    if (this.ca) for (const l of this.caListeners) l({ caCertificate: this.ca });
  }

  // grpc-js registers its watcher right after adding these listeners, so the first update is delivered
  // on the next microtask (a synchronous one would reach nobody and leave the server refusing connections).
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      if (this.ca && this.caListeners.has(listener)) listener({ caCertificate: this.ca });
    });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      if (this.identityListeners.has(listener)) listener(this.identity);
    });
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  /** Server credentials backed by this provider (mutual TLS when a client CA is set). */
  credentials(): grpc.ServerCredentials {
    const mutual = this.files.clientCaFile !== undefined;
    // grpc-js's parameter names are swapped: the first argument is the identity provider.
    return grpc.experimental.createCertificateProviderServerCredentials(this, mutual ? this : null, mutual);
  }
}

/** Files an edge names on its command line (`--tls-ca`, `--tls-cert`, `--tls-key`, `--auth-token-file`). */
export interface ClientSecurityFiles {
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  authTokenFile?: string;
}

/** What `SplitClient.connect` takes: TLS material and a bearer token. */
export interface ClientSecurity {
  tls?: ClientTls;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
}

/**
 * Read the client's credential files (one-line errors naming the flag and file). `--tls-cert` and
 * `--tls-key` go together; either one, or `--tls-ca`, turns TLS on. The first token of the token file is used.
 */
export function readClientSecurity(f: ClientSecurityFiles): ClientSecurity {
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together: give both or neither');
  const out: ClientSecurity = {};
  if (f.tlsCa !== undefined || f.tlsCert !== undefined || f.tlsServerName !== undefined) {
    out.tls = {
      ...(f.tlsCa !== undefined ? { ca: readFlagFile('--tls-ca', f.tlsCa) } : {}),
      ...(f.tlsCert !== undefined ? { cert: readFlagFile('--tls-cert', f.tlsCert) } : {}),
      ...(f.tlsKey !== undefined ? { key: readFlagFile('--tls-key', f.tlsKey) } : {}),
      ...(f.tlsServerName !== undefined ? { serverName: f.tlsServerName } : {}),
    };
  }
  if (f.authTokenFile !== undefined) {
    out.token = parseTokens(readFlagFile('--auth-token-file', f.authTokenFile).toString('utf8'), '--auth-token-file', f.authTokenFile)[0];
  }
  return out;
}
