/**
 * Writes (or rewrites) model.onnx of existing bundles from their tfjs weights, so bundles trained
 * before the ONNX export run on ONNX Runtime and open in any ONNX tool:
 *   npm run export-onnx -- --model models/multimnist-resnet [--model models/other ...]
 */
import { createProgram, parseOrExit, runMain } from '@mtl-split/cli';
import { exportBundleOnnx } from '@mtl-split/model';
import { initRuntime } from '@mtl-split/runtime';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const program = createProgram(
  'export-onnx',
  "Export the tfjs weights of model bundles as each bundle's model.onnx (batch norm folded, opset 17) and record it in manifest.json.",
).requiredOption('--model <dir>', 'model bundle folder (repeatable)', collect);

async function main(): Promise<void> {
  parseOrExit(program);
  const dirs = program.opts<{ model: string[] }>().model;
  await initRuntime();
  for (const dir of dirs) {
    const m = await exportBundleOnnx(dir);
    process.stdout.write(`${dir}: model.onnx ${m.onnx!.bytes} bytes, sha256 ${m.onnx!.sha256.slice(0, 12)}…\n`);
  }
}

runMain('export-onnx', main);
