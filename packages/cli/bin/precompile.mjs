// A compile cache for bin/launch.mjs: bundles a TypeScript entry of the repository with esbuild (our sources and
// the workspace packages bundled, every npm package left to Node) into node_modules/.cache/mtl-split-launch/, and
// reuses the bundle while no input file is newer than it. A start then runs plain JavaScript: no tsx loader, no
// per-module transpile or resolution round trips. Each file's `import.meta.url` is replaced by its source file's
// URL, so paths relative to a source (proto files, worker scripts, package.json) resolve as under tsx. Lazy
// `import()`s stay lazy (code splitting: the tfjs engine is a chunk of its own, loaded only for --runtime tfjs).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'mtl-split-launch');
/** Builds of a program older than this, other than the current one, are removed (a running program may still load its lazy chunks). */
const KEEP_OLD_MS = 60 * 60 * 1000;

/** The cached build of `entry` (an absolute path) when every input is older than it, else undefined. */
function fresh(name, entry) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(CACHE, `${name}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (stamp.entry !== entry) return undefined;
  try {
    for (const f of stamp.inputs) if (statSync(f).mtimeMs >= stamp.builtAt) return undefined;
  } catch {
    return undefined; // an input is gone
  }
  return join(CACHE, stamp.dir, 'main.js');
}

const ROOT_MODULES = join(ROOT, 'node_modules', '/');
const NESTED = Symbol('resolving a bare name');

const sourceUrl = {
  name: 'source-url',
  setup(b) {
    // npm packages stay external; one that a workspace has in its own node_modules (another version than the root's)
    // is imported by its path, since the bundle resolves bare names from the root
    b.onResolve({ filter: /^[^./]/ }, async (a) => {
      if (a.path.startsWith('@mtl-split/') || a.pluginData === NESTED) return undefined;
      const r = await b.resolve(a.path, { resolveDir: a.resolveDir, kind: a.kind, pluginData: NESTED });
      const nested = r.errors.length === 0 && r.path.includes('/node_modules/') && !r.path.startsWith(ROOT_MODULES);
      return { path: nested ? r.path : a.path, external: true };
    });
    b.onLoad({ filter: /\.(ts|mjs)$/ }, async (a) => ({
      contents: (await readFile(a.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)),
      loader: a.path.endsWith('.ts') ? 'ts' : 'js',
    }));
  },
};

async function build(name, entry) {
  const { build: esbuild } = await import('esbuild');
  const builtAt = Date.now();
  const dir = `${name}-${builtAt}-${process.pid}`;
  const r = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outdir: join(CACHE, dir),
    entryNames: 'main',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceUrl],
  });
  // the sources, and the manifests that map the workspace packages' names to them
  const manifests = ['packages', 'apps'].flatMap((d) => readdirSync(join(ROOT, d)).map((p) => join(ROOT, d, p, 'package.json')));
  const inputs = [
    ...Object.keys(r.metafile.inputs).map((f) => resolve(ROOT, f)),
    join(ROOT, 'package.json'),
    fileURLToPath(import.meta.url), // this builder: a change of how bundles are made rebuilds them
    ...manifests.filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile()),
  ];
  const tmp = join(CACHE, `${name}.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify({ entry, dir, builtAt, inputs }));
  renameSync(tmp, join(CACHE, `${name}.json`));
  for (const d of readdirSync(CACHE)) {
    if (d === dir || !d.startsWith(`${name}-`)) continue;
    if (Date.now() - statSync(join(CACHE, d)).mtimeMs > KEEP_OLD_MS) rmSync(join(CACHE, d), { recursive: true, force: true });
  }
  return join(CACHE, dir, 'main.js');
}

/** The URL of a precompiled bundle of `entry` for program `name`, built first when missing or stale. */
export async function precompiled(name, entry) {
  mkdirSync(CACHE, { recursive: true });
  const file = fresh(name, entry) ?? (await build(name, entry));
  return pathToFileURL(file).href;
}
