import { isIP } from 'node:net';
import tls from 'node:tls';
import type { HostPort } from '@mtl-split/transport';
import { errorText } from './error-text.js';

/** Words of a TLS failure in grpc-js's and OpenSSL's messages (a bad CA, a name mismatch, TLS against plaintext). */
const TLS_FAILURE = /certificate|altnames|ssl|tls|handshake|wrong version number|packet length too long|EPROTO/i;

const message = errorText;

/** Whether a TLS server answers at host:port (a handshake that does not check the certificate; 1 s at most). */
export function speaksTls(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      ...(isIP(host) ? {} : { servername: host }),
    });
    const done = (v: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Why this edge can never talk to the cloud at `at`, judged from the error of its first Describe: a TLS
 * handshake that fails (a wrong `--tls-ca`, a certificate for another name, TLS against a plaintext
 * cloud), or a cloud that speaks TLS to an edge without `--tls-ca`. Undefined when the error may be an
 * outage (refused, reset, timed out): then the local fallback is right.
 */
export async function neverReachable(err: unknown, at: HostPort, usesTls: boolean): Promise<string | undefined> {
  const why = message(err);
  const where = `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
  if (usesTls && TLS_FAILURE.test(why)) {
    return `TLS handshake with the cloud at ${where} failed (${why}): --tls-ca must be the CA that signed the cloud's certificate, and the certificate must name the --cloud host (or --tls-server-name)`;
  }
  if (!usesTls && (TLS_FAILURE.test(why) || (await speaksTls(at.host, at.port)))) {
    return `the cloud at ${where} speaks TLS and this edge does not (${why}): give --tls-ca with the CA that signed its certificate`;
  }
  return undefined;
}
