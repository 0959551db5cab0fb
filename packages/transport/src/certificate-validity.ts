import { X509Certificate } from 'node:crypto';
import { errorMessage } from '@mtl-split/cli/errors';

/**
 * Refuse a certificate outside its validity period (checked at start and on every reload): clients would
 * fail the handshake with it anyway, so the server says why at once instead of starting. Throws one line
 * naming the flag and file; `now` is for tests.
 */
export function checkValidity(flag: string, file: string, pem: Buffer, now: Date = new Date()): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new Error(`${flag}: '${file}' holds no readable certificate (${errorMessage(err)})`, { cause: err });
  }
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now.getTime() > to.getTime()) {
    throw new Error(`${flag}: '${file}' expired on ${to.toISOString()} (notAfter): renew it`);
  }
  if (now.getTime() < from.getTime()) {
    throw new Error(`${flag}: '${file}' is not valid until ${from.toISOString()} (notBefore): check the clock or the certificate`);
  }
}
