/**
 * `--json FILE`: the class maps and raw outputs of every answered sample go to binary files beside the
 * JSON (never inline), one file per split point, task and output: `<FILE without .json>.<split>.<task>.
 * <output>.<u8|f32>`, sample i at offset i x its per-sample bytes (so answers arriving out of order with
 * --concurrency land in place, and memory stays bounded); a sample not answered stays zeros. Class maps
 * are uint8 (one byte a pixel, classes 0..255; more classes: float32), outputs float32, little-endian.
 * The result's `files` names them, with dtype, per-sample shape and samples.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { EdgeAnswer } from './edge-client.js';
import type { EdgeResult } from './spec.js';

type FileEntry = NonNullable<EdgeResult['files']>[string][number];

interface Open {
  fd: number;
  entry: FileEntry;
  bytesPerSample: number;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');

export class MapFiles {
  private readonly open = new Map<string, Open>();
  private readonly stem: string;
  private samples = 0;

  constructor(jsonFile: string) {
    this.stem = join(dirname(jsonFile), basename(jsonFile).replace(/\.json$/i, ''));
  }

  /** A split point run starts with `samples` samples. */
  start(samples: number): void {
    this.samples = samples;
  }

  private file(split: string, task: string, output: string, dtype: FileEntry['dtype'], shape: number[]): Open {
    const key = `${split}\u0000${task}\u0000${output}`;
    let f = this.open.get(key);
    if (!f) {
      const path = `${this.stem}.${safe(split)}.${safe(task)}.${safe(output)}.${dtype === 'uint8' ? 'u8' : 'f32'}`;
      const entry = { output, file: basename(path), dtype, shape, samples: this.samples };
      f = { fd: openSync(path, 'w'), entry, bytesPerSample: shape.reduce((a, b) => a * b, 1) * (dtype === 'uint8' ? 1 : 4) };
      this.open.set(key, f);
    }
    return f;
  }

  private put(f: Open, index: number, bytes: Uint8Array): void {
    writeSync(f.fd, bytes, 0, bytes.length, index * f.bytesPerSample);
  }

  /** Writes the maps and tensors of one answer (classification tasks have none to write). */
  add(split: string, index: number, a: EdgeAnswer): void {
    for (const t of a.tasks) {
      if (t.kind === 'classification') continue;
      if (t.kind === 'segmentation' && t.classMap.data.length) {
        const wide = t.classMap.data.some((v) => v > 255);
        const f = this.file(split, t.task, 'classes', wide ? 'float32' : 'uint8', [...t.classMap.shape]);
        const bytes = wide ? new Uint8Array(Float32Array.from(t.classMap.data).buffer) : Uint8Array.from(t.classMap.data);
        this.put(f, index, bytes);
      }
      for (const o of t.outputs) {
        const f = this.file(split, t.task, o.output, 'float32', [...o.shape]);
        this.put(f, index, new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength));
      }
    }
  }

  /** The files of a split point run (the result's `files`), closed. */
  finish(split: string): EdgeResult['files'] {
    const files: NonNullable<EdgeResult['files']> = {};
    for (const [key, f] of this.open) {
      const [s, task] = key.split('\u0000');
      if (s !== split) continue;
      closeSync(f.fd);
      this.open.delete(key);
      (files[task] ??= []).push(f.entry);
    }
    return Object.keys(files).length ? files : undefined;
  }

  /** Closes whatever is still open (an interrupted run). */
  close(): void {
    for (const f of this.open.values()) closeSync(f.fd);
    this.open.clear();
  }
}
