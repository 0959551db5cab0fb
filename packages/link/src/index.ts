export { startEmbeddedToxiproxy, DEFAULT_MAX_BUFFERED_BYTES } from './server/embedded-server.js';
export type { EmbeddedToxiproxy, EmbeddedToxiproxyOptions } from './server/embedded-server.js';
export { EMBEDDED_VERSION } from './server/api-routes.js';
export { toxicTypes } from './toxics/registry.js';
export type { StreamDirection } from './toxics/toxic-types.js';
export { Link } from './client/link.js';
export type { LinkConnectOptions, LinkProxy, LinkProxyOptions, LinkToxic } from './client/link.js';
export { profileToxics, PROFILE_TOXIC_PREFIX } from './client/profile.js';
export type { LinkProfile, ToxicSpec } from './client/profile.js';
