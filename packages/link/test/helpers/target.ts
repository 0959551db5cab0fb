import { startEmbeddedToxiproxy } from '../../src/index.js';

/** The Toxiproxy HTTP API under test: a real server at TOXIPROXY_URL, else the embedded one. */
export interface ApiTarget {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export async function startTarget(): Promise<ApiTarget> {
  const external = process.env.TOXIPROXY_URL;
  if (external) return { url: external.replace(/\/+$/, ''), embedded: false, close: async () => undefined };
  const server = await startEmbeddedToxiproxy({ host: '127.0.0.1', port: 0 });
  return { url: server.url, embedded: true, close: () => server.close() };
}

let counter = 0;
/** A proxy name unique to this test process (tests may share a real server). */
export function uniqueName(label: string): string {
  counter += 1;
  return `t${process.pid}_${label}_${counter}`;
}

/** Raw HTTP call, for status codes and bodies that toxiproxy-node-client hides. */
export async function raw(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; text: string }> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(5000) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const res = await fetch(`${url}${path}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Port of a proxy's `listen` field ("127.0.0.1:1234" or "[::1]:1234"). */
export function listenPort(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}
