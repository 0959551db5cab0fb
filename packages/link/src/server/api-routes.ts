import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, ErrBadRequestBody } from './api-error.js';
import type { ProxyCollection } from './proxy-collection.js';
import { parseBody, proxyBodySchema } from './request-bodies.js';
import { toxicJson } from './toxic-state.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** The version /version reports: Toxiproxy's API version, marked as this embedded implementation. */
export const EMBEDDED_VERSION = '2.12.0+mtl-split-embedded';

const MAX_BODY_BYTES = 1 << 20;

type Reply = { status: number; body?: unknown };
type Handler = (params: string[], body: () => Promise<unknown>) => Promise<Reply>;

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY_BYTES) throw ErrBadRequestBody.with('body larger than 1 MiB');
    parts.push(part);
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim() === '') throw ErrBadRequestBody.with('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw ErrBadRequestBody.with(errorMessage(err), { cause: err });
  }
}

/** The routes of Toxiproxy's HTTP API over a proxy collection. */
export function apiRoutes(proxies: ProxyCollection): Route[] {
  const ok = (body: unknown): Reply => ({ status: 200, body });
  const noContent: Reply = { status: 204 };
  return [
    {
      pattern: /^\/reset$/,
      methods: {
        POST: async () => {
          await proxies.reset();
          return noContent;
        },
      },
    },
    {
      pattern: /^\/version$/,
      methods: { GET: async () => ok({ version: EMBEDDED_VERSION }) },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        GET: async () => ok(Object.fromEntries(proxies.all().map((p) => [p.name, p.json()]))),
        POST: async (_, body) => ({ status: 201, body: (await proxies.create(await body())).json() }),
      },
    },
    {
      pattern: /^\/populate$/,
      methods: {
        POST: async (_, body) => ({ status: 201, body: { proxies: (await proxies.populate(await body())).map((p) => p.json()) } }),
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)$/,
      methods: {
        GET: async ([name]) => ok(proxies.get(name).json()),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ([name]) => {
          await proxies.remove(name);
          return noContent;
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics$/,
      methods: {
        GET: async ([name]) => ok(proxies.get(name).toxics.list().map(toxicJson)),
        // Toxiproxy answers 200 (not 201) to a created toxic.
        POST: async ([name], body) => {
          const proxy = proxies.get(name);
          return ok(toxicJson(proxy.toxics.add(await body())));
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      methods: {
        GET: async ([name, toxic]) => ok(toxicJson(proxies.get(name).toxics.get(toxic))),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: async ([name, toxic]) => {
          proxies.get(name).toxics.remove(toxic);
          return noContent;
        },
      },
    },
  ];

  async function updateProxy([name]: string[], body: () => Promise<unknown>): Promise<Reply> {
    const proxy = proxies.get(name);
    await proxy.update(parseBody(proxyBodySchema, await body()));
    return ok(proxy.json());
  }

  async function updateToxic([name, toxic]: string[], body: () => Promise<unknown>): Promise<Reply> {
    const proxy = proxies.get(name);
    proxy.toxics.get(toxic);
    return ok(toxicJson(proxy.toxics.update(toxic, await body())));
  }
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ApiError(`bad request: invalid URL escape in "${part}"`, 400);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  const text = `${JSON.stringify(error)}\n`;
  res.writeHead(error.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

/**
 * An HTTP request handler for the API. A request's body is read first; then requests are handled one
 * at a time (like Toxiproxy's locks, this keeps proxy state changes atomic), so a slow client cannot
 * hold up the others.
 */
export function apiHandler(proxies: ProxyCollection): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = apiRoutes(proxies);
  let queue: Promise<void> = Promise.resolve();

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Promise<unknown>): Promise<void> => {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('User agent not allowed\n');
      return;
    }
    // a body is JSON, said so: a form or text/plain body (what a web page can send without asking) is refused
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      sendError(
        res,
        new ApiError(
          `bad request body: Content-Type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`,
          415,
        ),
      );
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.pattern.test(path));
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const handler = route.methods[req.method ?? 'GET'];
    if (!handler) {
      res.writeHead(405).end();
      return;
    }
    try {
      const params = (route.pattern.exec(path) ?? []).slice(1).map(decodePathPart);
      send(res, await handler(params, () => body));
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : new ApiError(errorMessage(err), 500, { cause: err }));
    }
  };

  return (req, res) => {
    const body = readJson(req);
    body.catch(() => undefined);
    void body
      .catch(() => undefined)
      .then(() => {
        queue = queue
          .then(() => handle(req, res, body))
          .catch((err: unknown) => {
            if (!res.headersSent) sendError(res, new ApiError(errorMessage(err), 500, { cause: err }));
            else res.destroy();
          });
      });
  };
}
