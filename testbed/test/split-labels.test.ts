import { describe, expect, it } from 'vitest';
import { splitLabels } from '../src/report/split-labels.js';

describe('short split point names for the charts', () => {
  it('keeps plain names, and names ONNX tensors by module and operation', () => {
    const l = splitLabels([
      'input',
      'block4',
      '/trunk/stem/stem.0/Conv_output_0',
      '/backbone/backbone.11/Add',
      '/Flatten',
      '/features/features.0/features.0.0/Conv',
      'edge-only',
    ]);
    expect([...l.values()]).toEqual(['input', 'block4', 'stem.0/Conv', 'backbone.11/Add', 'Flatten', 'features.0.0/Conv', 'edge-only']);
  });

  it('adds outer parts until names differ, keeps every label unique and at most 24 characters', () => {
    const raw = [
      '/backbone/backbone.5/backbone.5.1/relu_1/Relu',
      '/backbone/backbone.5/backbone.5.1/relu/Relu',
      '/a/b/c/Conv',
      '/x/b/c/Conv',
      '/features/features.0/features.0.2/HardSigmoid_output_0',
      '/very/long/module/path/with/many/parts/and/a/very_long_operation_name_indeed',
      '/z/Conv',
      '/z/Conv:0',
    ];
    const l = splitLabels(raw);
    expect(l.get(raw[0]!)).toBe('backbone.5.1/relu_1');
    expect(l.get(raw[1]!)).toBe('backbone.5.1/relu');
    expect([l.get(raw[2]!), l.get(raw[3]!)]).toEqual(['a/b/c/Conv', 'x/b/c/Conv']);
    expect(new Set(l.values()).size).toBe(raw.length);
    for (const v of l.values()) expect(v.length, v).toBeLessThanOrEqual(24 + 3);
    expect(l.get(raw[5]!)).toMatch(/^….*indeed$/);
  });
});
