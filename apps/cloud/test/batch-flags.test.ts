import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@mtl-split/transport/defaults';
import { parseCloudArgs } from '../src/options.js';

// The batch bounds: in samples (--max-batch) and in time (--max-batch-ms), the transport's defaults unless given.

describe('--max-batch, --max-batch-ms', () => {
  it("default to the transport's bounds and pass on what is given", () => {
    const d = parseCloudArgs(['--model', 'm']);
    expect(d.maxBatch).toBe(DEFAULT_LIMITS.maxBatch);
    expect(d.maxBatchMs).toBe(DEFAULT_LIMITS.maxBatchMs);
    const o = parseCloudArgs(['--model', 'm', '--max-batch', '16', '--max-batch-ms', '0']);
    expect(o.maxBatch).toBe(16);
    expect(o.maxBatchMs).toBe(0);
    expect(parseCloudArgs(['--model', 'm', '--max-batch-ms', '2.5']).maxBatchMs).toBe(2.5);
  });

  it('refuse a bound in time that is not a number from 0, naming the flag', () => {
    expect(() => parseCloudArgs(['--model', 'm', '--max-batch-ms', '-1'])).toThrow(/--max-batch-ms must be a number in 0\.\.60000/);
    expect(() => parseCloudArgs(['--model', 'm', '--max-batch-ms', 'soon'])).toThrow(/--max-batch-ms must be a number/);
  });
});
