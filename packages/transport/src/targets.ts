import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { invalidArgument } from './errors.js';
import { errorMessage } from '@mtl-split/cli/errors';

export interface HostPort {
  host: string;
  port: number;
}

/** Parse 'HOST:PORT[,HOST:PORT...]' (IPv6 as [::1]:PORT); throws a one-line error naming the bad part. */
export function parseTargets(spec: string | readonly string[]): HostPort[] {
  const parts = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw invalidArgument('no cloud address given: expected HOST:PORT[,HOST:PORT...]');
  return parts.map((part) => {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(part);
    const port = m ? Number(m[3]) : NaN;
    if (!m || !(port >= 1 && port <= 65535)) {
      throw invalidArgument(`bad cloud address '${part}': expected HOST:PORT with a port 1-65535`);
    }
    return { host: m[1] ?? m[2], port };
  });
}

/**
 * A grpc-js target for one or several addresses. Names are resolved here, so several addresses become one
 * static `ipv4:` (or `ipv6:`) target that the round_robin policy balances over.
 */
export async function resolveTarget(spec: string | readonly string[]): Promise<string> {
  const hosts = parseTargets(spec);
  const resolved = await Promise.all(
    hosts.map(async ({ host, port }) => {
      if (isIP(host)) return { ip: host, family: isIP(host), port };
      try {
        const r = await lookup(host);
        return { ip: r.address, family: r.family, port };
      } catch (err) {
        throw invalidArgument(`cannot resolve cloud host '${host}': ${errorMessage(err)}`);
      }
    }),
  );
  const families = new Set(resolved.map((r) => r.family));
  if (families.size > 1) throw invalidArgument('cloud addresses mix IPv4 and IPv6: use one family');
  if (families.has(6)) return `ipv6:${resolved.map((r) => `[${r.ip}]:${r.port}`).join(',')}`;
  return `ipv4:${resolved.map((r) => `${r.ip}:${r.port}`).join(',')}`;
}
