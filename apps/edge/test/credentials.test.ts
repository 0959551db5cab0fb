import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '@mtl-split/cli';
import { parseEdgeArgs } from '../src/options.js';

// The edge's credential flags: files read at parse time, one-line usage errors naming the flag.
const dir = mkdtempSync(join(tmpdir(), 'mtl-split-edge-creds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = ['--model', 'models/multimnist-resnet', '--cloud', '127.0.0.1:50051'];

describe('edge credential flags', () => {
  it('reads --tls-ca, --tls-cert, --tls-key and the first token of --auth-token-file', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    writeFileSync(join(dir, 'tokens'), '# mine\nedge-token-1\nedge-token-2\n');
    const o = parseEdgeArgs([
      ...base,
      '--tls-ca',
      join(dir, 'ca.pem'),
      '--tls-cert',
      join(dir, 'c.pem'),
      '--tls-key',
      join(dir, 'k.pem'),
      '--auth-token-file',
      join(dir, 'tokens'),
    ]);
    expect(o.security?.tls?.ca?.toString()).toBe('CA');
    expect(o.security?.tls?.cert?.toString()).toBe('CERT');
    expect(o.security?.tls?.key?.toString()).toBe('KEY');
    expect(o.security?.token).toBe('edge-token-1');
    expect(parseEdgeArgs(base).security).toBeUndefined();
  });

  it('refuses a missing file, a certificate without its key, an empty token file', () => {
    const err = (args: string[]): string => {
      try {
        parseEdgeArgs([...base, ...args]);
        return 'no error';
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
    };
    expect(err(['--tls-ca', join(dir, 'nope.pem')])).toMatch(/^--tls-ca: cannot read '.*nope\.pem' \(ENOENT\)$/);
    expect(err(['--tls-cert', join(dir, 'c.pem')])).toBe('--tls-cert and --tls-key go together: give both or neither');
    writeFileSync(join(dir, 'empty'), '\n# nothing\n');
    expect(err(['--auth-token-file', join(dir, 'empty')])).toMatch(/^--auth-token-file: '.*empty' holds no token/);
  });
});
