import { describe, expect, it } from 'vitest';
import { parseCloudArgs } from '../src/options.js';

// The flags that bound unfinished messages reach the server in bytes, and refuse a bound below one message.

describe('--max-pending-mb, --max-pending-mb-per-connection', () => {
  it('are passed on in bytes, and left to the transport defaults when absent', () => {
    const o = parseCloudArgs(['--model', 'm', '--max-pending-mb', '40', '--max-pending-mb-per-connection', '20']);
    expect(o.maxPendingBytes).toBe(40 * 1024 * 1024);
    expect(o.maxPendingBytesPerConnection).toBe(20 * 1024 * 1024);
    const d = parseCloudArgs(['--model', 'm']);
    expect(d.maxPendingBytes).toBeUndefined();
    expect(d.maxPendingBytesPerConnection).toBeUndefined();
  });

  it('refuse a bound that cannot hold one largest message, naming the flag', () => {
    expect(() => parseCloudArgs(['--model', 'm', '--max-message-mb', '16', '--max-pending-mb', '8'])).toThrow(
      /^--max-pending-mb must hold one largest message: at least --max-message-mb \(16\), got 8$/,
    );
    expect(() => parseCloudArgs(['--model', 'm', '--max-pending-mb-per-connection', '16'])).toThrow(
      /^--max-pending-mb-per-connection must hold one largest message/,
    );
  });
});
