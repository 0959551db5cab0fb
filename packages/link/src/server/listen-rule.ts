import net from 'node:net';
import { ApiError } from './api-error.js';
import { checkAddress } from './proxy.js';

/** Throws an ApiError when a proxy may not listen on `listen` ("host:port"). */
export type ListenRule = (listen: string) => void;

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True for `localhost`, 127.0.0.0/8 and ::1 in any spelling (including ::ffff:127.x.y.z). Any other name is
 * false: it could resolve beyond loopback. An empty host (":port") is false, as Toxiproxy reads it as every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return true;
  const family = net.isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The one check every path that sets a listen address goes through (create, populate, update by POST or
 * PATCH, enable): unless `allowPublic`, an address beyond loopback is refused with 403, since it would relay
 * a loopback-only service to the network.
 */
export function listenRule(allowPublic: boolean): ListenRule {
  return (listen) => {
    const at = checkAddress('listen', listen);
    if (allowPublic || isLoopbackHost(at.host)) return;
    throw new ApiError(
      `listen address "${listen}" is beyond loopback: this embedded server only makes loopback proxies (127.0.0.0/8, ::1, localhost; start it with allowPublicListen to allow others)`,
      403,
    );
  };
}
