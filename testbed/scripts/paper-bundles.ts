/**
 * Builds what the `paper` scenario runs on, into out/paper (git-ignored):
 *   - the four reference backbones of tools/fixtures (VGG16-BN, ResNet18, MobileNetV3-small, EfficientNet-B0 at
 *     224x224, three FACES-like tasks, RANDOM weights), plain and with an injected bottleneck, imported as bundles
 *     with a few candidate split points;
 *   - one single-task network per task and backbone: the same graph kept up to that task's output only
 *     (the backbone plus one head), imported likewise;
 *   - eight synthetic 224x224 photos-like PNGs (gradients and shapes) for the edge's --inputs.
 * Needs out/fixtures/*.onnx (npm run fixtures). Usage: npx tsx testbed/scripts/paper-bundles.ts [--only NAME,...]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { decodeModel, encodeModel, extractGraph } from '@mtl-split/onnx';
import { REPO_ROOT } from '../src/paths.js';
import { errorMessage } from '@mtl-split/cli/errors';

/** Candidate split points per backbone (besides input): stage ends, the smallest tensors, the features. */
export const PAPER_POINTS: Record<string, string[]> = {
  'vgg16-bn-224': ['/backbone/backbone.23/MaxPool', '/backbone/backbone.33/MaxPool', '/Flatten'],
  'resnet18-224': ['/backbone/backbone.5/backbone.5.1/relu_1/Relu', '/backbone/backbone.6/backbone.6.1/relu_1/Relu', '/Flatten'],
  'mobilenet-v3-small-224': ['/backbone/backbone.3/Add', '/backbone/backbone.6/Add', '/backbone/backbone.11/Add', '/Flatten'],
  'efficientnet-b0-224': [
    '/backbone/backbone.3/backbone.3.1/Add',
    '/backbone/backbone.5/backbone.5.2/Add',
    '/backbone/backbone.6/backbone.6.3/Add',
    '/Flatten',
  ],
  // the same backbones with the fixtures' default injected bottleneck (tools/fixtures, --bottleneck default):
  // its encoder output, then the same stage ends as above (their child index one higher), then the features
  'vgg16-bn-bottleneck-224': ['/backbone/backbone.3/encoder/encoder.2/Relu', '/backbone/backbone.24/MaxPool', '/Flatten'],
  'resnet18-bottleneck-224': ['/backbone/backbone.4/encoder/encoder.2/Relu', '/backbone/backbone.7/backbone.7.1/relu_1/Relu', '/Flatten'],
  'mobilenet-v3-small-bottleneck-224': ['/backbone/backbone.2/encoder/encoder.2/Relu', '/backbone/backbone.7/Add', '/Flatten'],
  'efficientnet-b0-bottleneck-224': ['/backbone/backbone.1/encoder/encoder.2/Relu', '/backbone/backbone.6/backbone.6.2/Add', '/Flatten'],
};
const TASKS = ['age', 'gender', 'expression'];
const PREPROCESS = '{"mean":[0.485,0.456,0.406],"std":[0.229,0.224,0.225]}';
const OUT = path.join(REPO_ROOT, 'out/paper');

function importBundle(onnxFile: string, out: string, points: string[]): void {
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'tools/src/import.ts'),
      '--onnx',
      onnxFile,
      '--out',
      out,
      '--preprocess',
      PREPROCESS,
      '--points',
      ['input', ...points].join(','),
      '--force',
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

/** The graph kept from its input to one task's output: the backbone and that head. */
function singleTask(onnxFile: string, task: string, out: string): void {
  const m = decodeModel(new Uint8Array(fs.readFileSync(onnxFile)), onnxFile);
  const input = m.graph!.input![0]!.name!;
  const single = extractGraph(m, { inputs: [input], outputs: [task], graphName: `${path.basename(onnxFile, '.onnx')}-${task}` });
  fs.writeFileSync(out, encodeModel(single));
}

async function photos(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 8; i++) {
    const hue = (i * 47) % 360;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="224" height="224">
      <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},60%,70%)"/><stop offset="1" stop-color="hsl(${(hue + 90) % 360},50%,25%)"/></linearGradient></defs>
      <rect width="224" height="224" fill="url(#g)"/>
      <circle cx="${70 + i * 11}" cy="${90 + ((i * 23) % 50)}" r="${30 + (i % 3) * 12}" fill="hsl(${(hue + 180) % 360},70%,50%)"/>
      <rect x="${20 + i * 7}" y="140" width="90" height="50" rx="12" fill="hsl(${(hue + 40) % 360},40%,85%)" opacity="0.8"/>
      <ellipse cx="160" cy="${60 + i * 5}" rx="40" ry="22" fill="hsl(${(hue + 270) % 360},55%,40%)"/></svg>`;
    // mild sensor noise, as a camera would add
    const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let s = i + 1;
    for (let k = 0; k < data.length; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      data[k] = Math.max(0, Math.min(255, data[k]! + ((s >>> 24) % 7) - 3));
    }
    await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .png()
      .toFile(path.join(dir, `photo-${i}.png`));
  }
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : Object.keys(PAPER_POINTS);
  fs.mkdirSync(path.join(OUT, 'onnx'), { recursive: true });
  await photos(path.join(OUT, 'images'));
  for (const net of only) {
    const points = PAPER_POINTS[net];
    if (!points) throw new Error(`unknown backbone ${net} (valid: ${Object.keys(PAPER_POINTS).join(', ')})`);
    const src = path.join(REPO_ROOT, 'out/fixtures', `${net}.onnx`);
    if (!fs.existsSync(src)) throw new Error(`${path.relative(REPO_ROOT, src)} is missing: run npm run fixtures first`);
    importBundle(src, path.join(OUT, net), points);
    for (const task of TASKS) {
      const f = path.join(OUT, 'onnx', `${net}-${task}.onnx`);
      singleTask(src, task, f);
      importBundle(f, path.join(OUT, `${net}-${task}`), points);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`paper-bundles: ${errorMessage(e)}\n`);
  process.exit(1);
});
