/**
 * Runs the embedded Toxiproxy-API server as its own process (like `toxiproxy-server`), so that the
 * emulation has its own event loop. Usage: npm run serve -w @mtl-split/link -- --port 8474 [--config proxies.json]
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { createProgram, parseOrExit, runMain } from '@mtl-split/cli';
import { startEmbeddedToxiproxy } from '../server/embedded-server.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be an integer port in 0..65535');
  return n;
}

function bytes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 65536) throw new InvalidArgumentError('must be an integer >= 65536');
  return n;
}

async function populate(url: string, file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  const res = await fetch(`${url}/populate`, { method: 'POST', body: text, headers: { 'Content-Type': 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: string; proxies?: unknown[] };
  if (!res.ok) throw new Error(`config ${file}: ${body.error ?? `status ${res.status}`}`);
  return body.proxies?.length ?? 0;
}

async function main(): Promise<void> {
  const program = createProgram('toxiproxy-embedded', "Embedded server speaking Toxiproxy's HTTP API")
    .option('--host <host>', 'host of the HTTP API', '127.0.0.1')
    .option('--port <port>', 'port of the HTTP API (0 = ephemeral)', port, 8474)
    .option('--max-buffered-bytes <n>', 'bytes held per connection and direction before the sender is paused', bytes)
    .option('--config <file>', 'JSON file with a list of proxies to create (as POST /populate)');
  parseOrExit(program);
  const opts = program.opts<{ host: string; port: number; maxBufferedBytes?: number; config?: string }>();
  const server = await startEmbeddedToxiproxy({ host: opts.host, port: opts.port, maxBufferedBytes: opts.maxBufferedBytes });
  console.log(`toxiproxy (embedded) API listening on ${server.url}`);
  // serving until SIGINT or SIGTERM (either exits 0 once the server is closed)
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (opts.config) {
    try {
      console.log(`populated ${await populate(server.url, opts.config)} proxies from ${opts.config}`);
    } catch (err) {
      await server.close();
      throw err;
    }
  }
  await stopped;
}

runMain('toxiproxy-embedded', main);
