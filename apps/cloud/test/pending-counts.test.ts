import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { pendingCounter, PendingCounts } from '../src/pending-counts.js';

describe('pendingCounter', () => {
  it('reads exactly what a plain counter holds, at every scrape', async () => {
    const registry = new Registry();
    const plain = new Counter({ name: 'plain_total', help: 'h', labelNames: ['split', 'status'] as const, registers: [registry] });
    const pending = new PendingCounts<'split' | 'status'>();
    pendingCounter({ name: 'pending_total', help: 'h', labelNames: ['split', 'status'] as const, registers: [registry] }, pending);
    const add = (split: string, status: string, n: number): void => {
      plain.inc({ split, status }, n);
      pending.add(`${split}\t${status}`, () => ({ split, status }), n);
    };
    const same = async (): Promise<void> => {
      const text = await registry.metrics();
      const lines = (name: string): string[] =>
        text
          .split('\n')
          .filter((l) => l.startsWith(`${name}{`))
          .map((l) => l.slice(name.length));
      expect(lines('pending_total')).toEqual(lines('plain_total'));
      expect(lines('pending_total').length).toBeGreaterThan(0);
    };
    add('block4', 'OK', 1);
    add('block4', 'OK', 2);
    add('input', 'INVALID_ARGUMENT', 1);
    await same();
    await same(); // a second scrape with nothing new reads the same
    add('block4', 'OK', 5);
    add('block1', 'OK', 1);
    await same();
    expect(await registry.metrics()).toMatch(/pending_total\{split="block4",status="OK"\} 8/);
  });
});
