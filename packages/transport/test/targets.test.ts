import { describe, expect, it } from 'vitest';
import { parseTargets, resolveTarget } from '../src/index.js';

describe('cloud addresses', () => {
  it('parses HOST:PORT lists, IPv6 in brackets', () => {
    expect(parseTargets('127.0.0.1:5000, [::1]:6000,localhost:7')).toEqual([
      { host: '127.0.0.1', port: 5000 },
      { host: '::1', port: 6000 },
      { host: 'localhost', port: 7 },
    ]);
  });
  it('rejects bad addresses with a one-line message', () => {
    expect(() => parseTargets('127.0.0.1')).toThrow("bad cloud address '127.0.0.1': expected HOST:PORT with a port 1-65535");
    expect(() => parseTargets('h:70000')).toThrow(/bad cloud address 'h:70000'/);
    expect(() => parseTargets(' , ')).toThrow(/no cloud address given/);
  });
  it('builds one static target for round robin', async () => {
    expect(await resolveTarget('127.0.0.1:1,127.0.0.1:2')).toBe('ipv4:127.0.0.1:1,127.0.0.1:2');
    expect(await resolveTarget('[::1]:5')).toBe('ipv6:[::1]:5');
    await expect(resolveTarget('127.0.0.1:1,[::1]:2')).rejects.toThrow(/mix IPv4 and IPv6/);
  });
});
