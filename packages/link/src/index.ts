export { startEmbeddedToxiproxy, DEFAULT_MAX_BUFFERED_BYTES } from './server/embedded-server.js';
export type { EmbeddedToxiproxy, EmbeddedToxiproxyOptions } from './server/embedded-server.js';
export { EMBEDDED_VERSION } from './server/api-routes.js';
export { toxicTypes } from './toxics/registry.js';
export type { StreamDirection } from './toxics/toxic-types.js';
