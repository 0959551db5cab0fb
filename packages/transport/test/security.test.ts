import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplitClient, SplitServer, TokenSet, TransportError, readClientSecurity, type RequestEvent } from '../src/index.js';
import { makePki, haveOpenssl, type TestPki } from './certs.js';
import { edgeFrame, inputs, setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// Credentials: TLS, mutual TLS, bearer tokens, reload without dropping connections. Certificates are made
// at run time with openssl (no key is committed).

const HAVE_OPENSSL = haveOpenssl();
if (!HAVE_OPENSSL) console.warn('security tests skipped: openssl is not on PATH (Debian: apt-get install openssl)');

let pki: TestPki;
let model: TinyModel;
let frame: Uint8Array;

beforeAll(async () => {
  await setup();
  if (HAVE_OPENSSL) pki = makePki();
  model = new TinyModel();
  const x = inputs(1);
  frame = edgeFrame(model, 'features', x);
  x.dispose();
});
afterAll(() => pki?.cleanup());

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof TransportError ? err.codeName : String(err);
  }
}

// TLS clients dial 127.0.0.1 and name the server as the certificate does (DNS:localhost): with no name,
// grpc-js would send the IP address as the TLS server name (SNI), which RFC 6066 forbids (Node: DEP0123).
const SERVER_NAME = 'localhost';

function healthCheck(port: number, creds: grpc.ChannelCredentials): Promise<string> {
  const client = new grpc.Client(`127.0.0.1:${port}`, creds, { 'grpc.ssl_target_name_override': SERVER_NAME });
  return new Promise<string>((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (x: Buffer) => x,
      (b: Buffer) => b,
      Buffer.alloc(0),
      { deadline: Date.now() + 5000 },
      (err, res) => {
        client.close();
        // HealthCheckResponse { status = SERVING (1) } is the two bytes 08 01
        resolve(err ? `error ${grpc.status[err.code]}` : res?.equals(Buffer.from([8, 1])) ? 'SERVING' : `other ${res?.toString('hex')}`);
      },
    );
  });
}

describe.skipIf(!HAVE_OPENSSL)('TLS', () => {
  let server: SplitServer;
  beforeAll(async () => {
    server = await SplitServer.start(model, { port: 0, tls: { certFile: pki.serverCert, keyFile: pki.serverKey } });
  });
  afterAll(() => server?.shutdown(0));

  it('answers a client that trusts the CA; a plaintext client and one trusting another CA fail', async () => {
    expect(server.security).toEqual({ tls: 'on', tokens: 0 });
    const good = await SplitClient.connect(`127.0.0.1:${server.port}`, {
      deadlineMs: 5000,
      retries: 0,
      ...readClientSecurity({ tlsCa: pki.caCert, tlsServerName: SERVER_NAME }),
    });
    const plain = await SplitClient.connect(`127.0.0.1:${server.port}`, { deadlineMs: 2000, retries: 0 });
    const wrongCa = await SplitClient.connect(`127.0.0.1:${server.port}`, {
      deadlineMs: 2000,
      retries: 0,
      ...readClientSecurity({ tlsCa: pki.otherCaCert, tlsServerName: SERVER_NAME }),
    });
    try {
      const a = await good.infer('features', frame);
      expect(a.samples).toBe(1);
      expect(await codeOf(plain.infer('features', frame))).toBe('UNAVAILABLE');
      expect(await codeOf(wrongCa.infer('features', frame))).toBe('UNAVAILABLE');
    } finally {
      good.close();
      plain.close();
      wrongCa.close();
    }
  });
});

describe.skipIf(!HAVE_OPENSSL)('mutual TLS', () => {
  let server: SplitServer;
  beforeAll(async () => {
    server = await SplitServer.start(model, {
      port: 0,
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFile: pki.caCert },
    });
  });
  afterAll(() => server?.shutdown(0));

  it("answers a client with a certificate the client CA signed; without one, or with another CA's, fails", async () => {
    expect(server.security.tls).toBe('mutual');
    const connect = (f: Parameters<typeof readClientSecurity>[0]) =>
      SplitClient.connect(`127.0.0.1:${server.port}`, {
        deadlineMs: 3000,
        retries: 0,
        ...readClientSecurity({ ...f, tlsServerName: SERVER_NAME }),
      });
    const good = await connect({ tlsCa: pki.caCert, tlsCert: pki.clientCert, tlsKey: pki.clientKey });
    const none = await connect({ tlsCa: pki.caCert });
    const other = await connect({ tlsCa: pki.caCert, tlsCert: pki.otherClientCert, tlsKey: pki.otherClientKey });
    try {
      expect((await good.infer('features', frame)).samples).toBe(1);
      expect(await codeOf(none.infer('features', frame))).toBe('UNAVAILABLE');
      expect(await codeOf(other.infer('features', frame))).toBe('UNAVAILABLE');
    } finally {
      good.close();
      none.close();
      other.close();
    }
  });
});

describe.skipIf(!HAVE_OPENSSL)('bearer tokens', () => {
  let server: SplitServer;
  let tokenFile: string;
  const events: RequestEvent[] = [];
  beforeAll(async () => {
    tokenFile = join(pki.dir, 'tokens');
    writeFileSync(tokenFile, '# cloud tokens\nalpha-0123456789\n\n  beta-9876543210  \n');
    server = await SplitServer.start(model, {
      port: 0,
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey },
      authTokenFile: tokenFile,
      onRequest: (e) => events.push(e),
    });
  });
  afterAll(() => server?.shutdown(0));

  const connect = (token?: string) =>
    SplitClient.connect(`127.0.0.1:${server.port}`, {
      deadlineMs: 3000,
      retries: 0,
      tls: { ca: readFileSync(pki.caCert), serverName: SERVER_NAME },
      ...(token !== undefined ? { token } : {}),
    });

  it('UNAUTHENTICATED without a token or with a wrong one; every listed token works; health stays open; tokens are never reported', async () => {
    expect(server.security).toEqual({ tls: 'on', tokens: 2 });
    const none = await connect();
    const wrong = await connect('alpha-0123456788');
    const a = await connect('alpha-0123456789');
    const b = await connect('beta-9876543210');
    try {
      expect(await codeOf(none.infer('features', frame))).toBe('UNAUTHENTICATED');
      expect(await codeOf(none.describe())).toBe('UNAUTHENTICATED');
      expect(await codeOf(wrong.infer('features', frame))).toBe('UNAUTHENTICATED');
      const s = wrong.stream();
      expect(await codeOf(s.infer('features', frame))).toBe('UNAUTHENTICATED');
      expect((await a.infer('features', frame)).samples).toBe(1);
      expect((await b.describe()).bundleId).toBe('tiny-test-model');
      expect(await healthCheck(server.port, grpc.credentials.createSsl(readFileSync(pki.caCert)))).toBe('SERVING');
      const rejected = events.filter((e) => e.codeName === 'UNAUTHENTICATED');
      expect(rejected.length).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(events)).not.toContain('0123456788');
      expect(JSON.stringify(events)).not.toContain('alpha-');
    } finally {
      for (const c of [none, wrong, a, b]) c.close();
    }
  });

  it('compares tokens whole: prefixes, extensions and other schemes are refused', () => {
    const t = new TokenSet(['secret-token']);
    expect(t.allows('Bearer secret-token')).toBe(true);
    expect(t.allows('bearer  secret-token')).toBe(true);
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer secret',
      'Bearer secret-token2',
      'Basic secret-token',
      'secret-token',
      'Bearer secret-token x',
    ]) {
      expect(t.allows(h)).toBe(false);
    }
  });

  it('reloads tokens and certificates without dropping an open stream', async () => {
    const oldClient = await connect('alpha-0123456789');
    const stream = oldClient.stream({ deadlineMs: 20_000 });
    try {
      expect((await stream.infer('features', frame)).samples).toBe(1);
      // new tokens and a new server certificate from another CA
      writeFileSync(tokenFile, 'gamma-1111111111\n');
      const before = { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) };
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=reloaded',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
          '-keyout',
          'reloaded.key',
          '-out',
          'reloaded.crt',
        ],
        { cwd: pki.dir, stdio: 'ignore' },
      );
      copyFileSync(join(pki.dir, 'reloaded.crt'), pki.serverCert);
      copyFileSync(join(pki.dir, 'reloaded.key'), pki.serverKey);
      try {
        expect(server.reloadCredentials()).toEqual({ tls: true, tokens: 1 });
      } finally {
        writeFileSync(pki.serverCert, before.cert);
        writeFileSync(pki.serverKey, before.key);
      }
      // the open stream carries on (its call was authorised when it started)
      expect((await stream.infer('features', frame)).samples).toBe(1);
      // new connections: the new certificate, the new token
      const fresh = await SplitClient.connect(`127.0.0.1:${server.port}`, {
        deadlineMs: 3000,
        retries: 0,
        tls: { ca: readFileSync(join(pki.dir, 'reloaded.crt')), serverName: SERVER_NAME },
        token: 'gamma-1111111111',
      });
      const oldCa = await connect('gamma-1111111111');
      try {
        expect((await fresh.infer('features', frame)).samples).toBe(1);
        expect(await codeOf(oldCa.infer('features', frame))).toBe('UNAVAILABLE');
        // the old connection is still up; the old token is no longer accepted on new calls
        expect(await codeOf(oldClient.infer('features', frame))).toBe('UNAUTHENTICATED');
      } finally {
        fresh.close();
        oldCa.close();
      }
      // a broken file keeps the credentials in use
      writeFileSync(tokenFile, '\n# none\n');
      expect(() => server.reloadCredentials()).toThrow(/--auth-token-file: '.*' holds no token/);
      expect(server.security.tokens).toBe(1);
    } finally {
      await stream.end();
      oldClient.close();
      writeFileSync(tokenFile, 'alpha-0123456789\nbeta-9876543210\n');
      server.reloadCredentials();
    }
  });

  it('a bad credential file fails at start with one line naming the flag', async () => {
    await expect(SplitServer.start(model, { port: 0, authTokenFile: join(pki.dir, 'missing') })).rejects.toThrow(
      /^--auth-token-file: cannot read '.*missing' \(ENOENT\)$/,
    );
    await expect(SplitServer.start(model, { port: 0, tls: { certFile: pki.serverKey, keyFile: pki.serverKey } })).rejects.toThrow(
      /--tls-cert: '.*' holds no PEM certificate/,
    );
  });
});

/** A python3 whose grpc module imports (Debian's python3-grpcio lives in /usr/bin/python3, not pyenv's). */
function pythonWithGrpc(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import grpc'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

const PYTHON = HAVE_OPENSSL ? pythonWithGrpc() : undefined;
if (HAVE_OPENSSL && !PYTHON)
  console.warn('Python grpcio client test skipped: no python3 with grpc (Debian: apt-get install python3-grpcio)');

// A client none of our code is in: Python grpcio, generic calls on raw bytes (no generated stubs needed).
const PY_CLIENT = `
import sys, grpc
port, ca, token = sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3]
ch = grpc.secure_channel('127.0.0.1:' + port, grpc.ssl_channel_credentials(root_certificates=ca))
describe = ch.unary_unary('/mtlsplit.v1.SplitInference/Describe')
try:
    describe(b'', timeout=5)
    print('no-token OK')
except grpc.RpcError as e:
    print('no-token', e.code().name)
res = describe(b'', timeout=5, metadata=[('authorization', 'Bearer ' + token)])
print('token', 'tiny-test-model' in res.decode('latin1'))
`;

describe.skipIf(!PYTHON)('a Python grpcio client', () => {
  let server: SplitServer;
  let tokenFile: string;
  beforeAll(async () => {
    tokenFile = join(pki.dir, 'py-tokens');
    writeFileSync(tokenFile, 'py-token-42\n');
    server = await SplitServer.start(model, {
      port: 0,
      tls: { certFile: pki.serverCert, keyFile: pki.serverKey },
      authTokenFile: tokenFile,
    });
  });
  afterAll(() => server?.shutdown(0));

  it('with the CA and a token is answered; without the token gets UNAUTHENTICATED', async () => {
    // asynchronous: the server runs in this process
    const { stdout: out } = await promisify(execFile)(PYTHON!, ['-c', PY_CLIENT, String(server.port), pki.caCert, 'py-token-42'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.trim().split('\n')).toEqual(['no-token UNAUTHENTICATED', 'token True']);
  });
});
