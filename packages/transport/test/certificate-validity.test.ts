import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkValidity } from '../src/certificate-validity.js';
import { SplitServer } from '../src/index.js';
import { datedCert, haveOpenssl, makePki, type TestPki } from './certs.js';
import { setup } from './helpers.js';
import { TinyModel } from './tiny-model.js';

// A certificate outside its validity period is refused with one line, at start and on reload.

describe.skipIf(!haveOpenssl())('certificate validity', () => {
  let pki: TestPki;
  beforeAll(async () => {
    await setup();
    pki = makePki();
  });
  afterAll(() => pki?.cleanup());

  it('refuses an expired and a not-yet-valid certificate at start, naming the flag, file and date', async () => {
    const old = datedCert(pki.dir, 'expired', '20200101000000Z', '20200102000000Z');
    await expect(SplitServer.start(new TinyModel(), { port: 0, tls: { certFile: old.cert, keyFile: old.key } })).rejects.toThrow(
      /^--tls-cert: '.*cert\.pem' expired on 2020-01-02T00:00:00\.000Z \(notAfter\): renew it$/,
    );
    const future = datedCert(pki.dir, 'future', '20990101000000Z', '20990102000000Z');
    await expect(SplitServer.start(new TinyModel(), { port: 0, tls: { certFile: future.cert, keyFile: future.key } })).rejects.toThrow(
      /^--tls-cert: '.*cert\.pem' is not valid until 2099-01-01T00:00:00\.000Z \(notBefore\)/,
    );
  });

  it('checks the dates of a valid certificate against the clock it is given', () => {
    const pem = readFileSync(pki.serverCert); // valid for one day from its making
    expect(() => checkValidity('--tls-cert', 's.crt', pem)).not.toThrow();
    expect(() => checkValidity('--tls-cert', 's.crt', pem, new Date(Date.now() + 3 * 86_400_000))).toThrow(
      /^--tls-cert: 's\.crt' expired on /,
    );
    expect(() => checkValidity('--tls-cert', 's.crt', pem, new Date(Date.now() - 86_400_000))).toThrow(/is not valid until/);
  });

  it('keeps the old certificate when a reload finds an expired one', async () => {
    const cert = join(pki.dir, 'reload.crt');
    const key = join(pki.dir, 'reload.key');
    copyFileSync(pki.serverCert, cert);
    copyFileSync(pki.serverKey, key);
    const server = await SplitServer.start(new TinyModel(), { port: 0, tls: { certFile: cert, keyFile: key } });
    try {
      const old = datedCert(pki.dir, 'expired-reload', '20200101000000Z', '20200102000000Z');
      copyFileSync(old.cert, cert);
      copyFileSync(old.key, key);
      expect(() => server.reloadCredentials()).toThrow(/^--tls-cert: '.*reload\.crt' expired on 2020-01-02/);
      expect(server.tlsIdentity?.certificate.equals(readFileSync(pki.serverCert))).toBe(true);
    } finally {
      await server.shutdown(0);
    }
  });
});
