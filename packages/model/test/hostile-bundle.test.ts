// Bundle folders as an attacker or a careless copy leaves them: the real loaders (onnx engine, tfjs
// loadBundle, readManifest) on a copy of a committed bundle in a tmp folder, each refusing with one line.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModel, GraphBuilder } from '@mtl-split/onnx';
import { loadBundle, openNetwork, readManifest, sha256, type Manifest } from '../src/index.js';

const COMMITTED = resolve(__dirname, '../../../models/multimnist-resnet');
const root = mkdtempSync(join(tmpdir(), 'mtl-hostile-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function copy(edit: (dir: string) => void): string {
  const dir = join(root, `b${n++}`);
  cpSync(COMMITTED, dir, { recursive: true });
  edit(dir);
  return dir;
}

function replaceWithLink(dir: string, file: string, target: string): void {
  unlinkSync(join(dir, file));
  symlinkSync(target, join(dir, file));
}

/** Runs `open`, expecting a one-line rejection matching `re` within 2 s and with RSS grown by < 200 MB. */
async function refused(open: () => Promise<unknown>, re: RegExp): Promise<string> {
  const rss = process.memoryUsage().rss;
  const t0 = Date.now();
  let message = '';
  await open().then(
    () => expect.fail('the bundle loaded'),
    (err: unknown) => (message = err instanceof Error ? err.message : String(err)),
  );
  expect(message).toMatch(re);
  expect(message).not.toContain('\n');
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 2 ** 20);
  return message;
}

describe('hostile bundle folders', () => {
  it('model.onnx a symbolic link to /dev/zero: refused before reading', async () => {
    const dir = copy((d) => replaceWithLink(d, 'model.onnx', '/dev/zero'));
    await refused(() => openNetwork(dir), /^bundle '.*': model\.onnx is a symbolic link that leads out of the bundle folder: refused$/);
  });

  it('weights.bin a symbolic link to /dev/urandom: refused by both engines', async () => {
    const dir = copy((d) => replaceWithLink(d, 'weights.bin', '/dev/urandom'));
    const re = /^bundle '.*': weights\.bin is a symbolic link that leads out of the bundle folder: refused$/;
    await refused(() => openNetwork(dir), re);
    await refused(() => loadBundle(dir), re);
  });

  it('a FIFO as model.onnx or manifest.json: refused at once, never waiting for a writer', async () => {
    const fifo = copy((d) => {
      unlinkSync(join(d, 'model.onnx'));
      execFileSync('mkfifo', [join(d, 'model.onnx')]);
    });
    await refused(() => openNetwork(fifo), /^bundle '.*': model\.onnx is a FIFO, not a regular file: refused$/);
    const man = copy((d) => {
      unlinkSync(join(d, 'manifest.json'));
      execFileSync('mkfifo', [join(d, 'manifest.json')]);
    });
    await refused(async () => readManifest(man), /^bundle '.*': manifest\.json is a FIFO, not a regular file: refused$/);
  });

  it('a symbolic link out of the folder to a readable file: neither its size nor its text is printed', async () => {
    const secret = join(root, 'secret.txt');
    writeFileSync(secret, 'TOP-SECRET-TOKEN\n');
    const dir = copy((d) => replaceWithLink(d, 'manifest.json', secret));
    const msg = await refused(async () => readManifest(dir), /manifest\.json is a symbolic link that leads out of the bundle folder/);
    expect(msg).not.toMatch(/SECRET|17/);
    const rel = copy((d) => replaceWithLink(d, 'model.onnx', '../b0/model.onnx'));
    await refused(() => openNetwork(rel), /model\.onnx is a symbolic link that leads out/);
  });

  it('a symbolic link inside the folder is followed', async () => {
    const dir = copy((d) => {
      cpSync(join(d, 'model.onnx'), join(d, 'graph.onnx'));
      replaceWithLink(d, 'model.onnx', 'graph.onnx');
    });
    const net = await openNetwork(dir);
    expect(net.engine).toBe('onnx');
    await net.close();
  });

  it('a corrupted weights.bin: the onnx engine refuses too', async () => {
    const dir = copy((d) => {
      const w = readFileSync(join(d, 'weights.bin'));
      w[1000] ^= 0xff;
      writeFileSync(join(d, 'weights.bin'), w);
    });
    await refused(() => openNetwork(dir), /^bundle '.*': weights\.bin checksum [0-9a-f]{12}… does not match the manifest's [0-9a-f]{12}…$/);
  });

  it('a corrupted model.onnx: the tfjs engine refuses too', async () => {
    const dir = copy((d) => {
      const g = readFileSync(join(d, 'model.onnx'));
      g[g.length - 10] ^= 0xff;
      writeFileSync(join(d, 'model.onnx'), g);
    });
    await refused(
      () => openNetwork(dir, { runtime: 'tfjs' }),
      /^bundle '.*': model\.onnx checksum [0-9a-f]{12}… does not match the manifest's [0-9a-f]{12}…$/,
    );
  });

  it('files larger than the manifest says, or a huge manifest.json: refused by size before reading', async () => {
    const big = copy((d) => truncateSync(join(d, 'model.onnx'), 3 * 2 ** 30)); // sparse: 3 GiB
    await refused(
      () => openNetwork(big),
      /^bundle '.*': model\.onnx has 3221225472 bytes, more than the manifest's size \(\d+\): refused$/,
    );
    const man = copy((d) => truncateSync(join(d, 'manifest.json'), 64 * 2 ** 20));
    await refused(
      async () => readManifest(man),
      /manifest\.json has 67108864 bytes, more than the limit for JSON files \(16777216\): refused$/,
    );
  });

  it('a manifest.json that is not JSON: the error does not quote it', async () => {
    const dir = copy((d) => writeFileSync(join(d, 'manifest.json'), 'SECRET-LINE {'));
    const msg = await refused(async () => readManifest(dir), /^bundle '.*': manifest\.json is not valid JSON$/);
    expect(msg).not.toContain('SECRET');
  });

  it('a manifest that disagrees with the graph: input shape, class count, class names, a split point shape', async () => {
    const cases: [(j: Manifest) => void, RegExp][] = [
      [
        (j) => (j.inputShape = [32, 32, 1]),
        /^bundle '.*': model\.onnx input 'input' is \[N,28,28,1\] per batch, the manifest says \[N,32,32,1\]$/,
      ],
      [(j) => j.tasks[0].classes.push('10'), /^bundle '.*': model\.onnx output 'left' is \[N,10\], the manifest's task has 11 classes$/],
      [
        (j) => j.tasks[1].classes.reverse(),
        /^bundle '.*': the tasks or class names in model\.onnx's metadata differ from manifest\.json's$/,
      ],
      [
        (j) => (j.splitPoints.find((p) => p.name === 'block4')!.shape = [4, 4, 16]),
        /^bundle '.*': split point 'block4' is \[4,4,8\] per sample in model\.onnx, the manifest says \[4,4,16\]$/,
      ],
    ];
    for (const [edit, re] of cases) {
      const dir = copy((d) => editManifest(d, edit));
      await refused(() => openNetwork(dir), re);
    }
  });

  it('a graph that would allocate 3.6 GB per sample: refused at open from its shapes, accepted under a raised limit', async () => {
    const dir = copy((d) => {
      const onnx = hugeGraph();
      writeFileSync(join(d, 'model.onnx'), onnx);
      editManifest(d, (j) => (j.onnx = { ...j.onnx!, bytes: onnx.byteLength, sha256: sha256(onnx) }));
    });
    await refused(
      () => openNetwork(dir),
      /^bundle '.*': model\.onnx needs about 3\d{3} MiB of working memory per sample, the largest tensor 'expanded' 3\d{3} MiB, more than the limit 512 MiB \(raise it with MTL_SPLIT_MAX_SAMPLE_MB or the maxSampleMb option\)$/,
    );
    const net = await openNetwork(dir, { maxSampleMb: 8192 }); // opened, never run
    expect(net.tasks.map((t) => t.name)).toEqual(['left', 'right']);
    await net.close();
  });

  it('a graph whose tensor sizes come from the data (Expand to a size read from NonZero): refused, as it cannot be bounded', async () => {
    const dir = copy((d) => {
      const onnx = hugeGraph(true);
      writeFileSync(join(d, 'model.onnx'), onnx);
      editManifest(d, (j) => (j.onnx = { ...j.onnx!, bytes: onnx.byteLength, sha256: sha256(onnx) }));
    });
    await refused(
      () => openNetwork(dir),
      /^bundle '.*': model\.onnx: the shape of 'nonzero\w*' \(NonZero\) cannot be inferred without running the graph, so its working memory per sample cannot be bounded: refused \(MTL_SPLIT_MAX_SAMPLE_MB=Infinity or maxSampleMb: Infinity lifts the bound\)$/,
    );
    const net = await openNetwork(dir, { maxSampleMb: Infinity }); // opened, never run
    await net.close();
  });
});

function editManifest(dir: string, edit: (j: Manifest) => void): void {
  const j = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  edit(j);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(j));
}

/**
 * input [N,28,28,1] -> Expand to [1,28,28,1200000] (3.76 GB) -> mean -> flatten -> one Gemm per task; with
 * `fromData`, the last size of the Expand is the number of nonzero pixels times 1,000,000 instead.
 */
function hugeGraph(fromData = false): Uint8Array {
  const g = new GraphBuilder();
  g.input('input', ['N', 28, 28, 1]);
  const count = () => g.node('Slice', [g.node('Shape', [g.node('NonZero', ['input'])]), g.int64s('s', [1]), g.int64s('e', [2])]);
  const to = fromData
    ? g.node('Concat', [g.int64s('lead', [1, 28, 28]), g.node('Mul', [count(), g.int64s('k', [1_000_000])])], { axis: 0 })
    : g.int64s('to', [1, 28, 28, 1_200_000]);
  const e = g.node('Expand', ['input', to], {}, 'expanded');
  const f = g.node('Flatten', [g.node('ReduceMean', [e], { axes: [3], keepdims: 1 })], { axis: 1 });
  for (const t of ['left', 'right']) {
    g.node('Gemm', [f, g.floats('w', new Float32Array(7840), [784, 10])], {}, t);
    g.output(t, ['N', 10]);
  }
  return encodeModel(g.build({ producer: 'test', version: '1', graphName: 'huge' }));
}
