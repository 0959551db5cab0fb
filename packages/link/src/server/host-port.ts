/** A TCP address split into host and port. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses "host:port", "[v6]:port" or ":port" (empty host). Returns undefined when malformed or the
 * port is not an integer in 0..65535.
 */
export function parseHostPort(address: string): HostPort | undefined {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(address.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port > 65535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Formats an address the way Go's net package does: "[::1]:80" for IPv6, "127.0.0.1:80" otherwise. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
