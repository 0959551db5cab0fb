// Module-resolution hook (node:module register): posts each resolved URL to the port record.mjs gave.
let port;

export function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
