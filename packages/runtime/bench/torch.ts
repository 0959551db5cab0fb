/**
 * PyTorch as a reference beside our training-step numbers: finds a python3 that imports torch, and
 * keeps one `torch_nets.py --serve` process (one thread) for the whole benchmark, so rounds can
 * alternate between our step and PyTorch's on the same net in one run.
 *
 * Which python: `MTL_SPLIT_PYTHON` when set (only that one), else the first of `/usr/bin/python3`
 * (Debian's python3-torch) and `python3` on PATH that imports torch. Used by
 * packages/runtime/bench/train-step.bench.ts and packages/model/bench/backbones.bench.ts.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const TORCH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_nets.py');

/** What torch_nets.py reports about itself. */
export interface TorchInfo {
  torch: string;
  python: string;
  executable: string;
  threads: number;
  interopThreads: number;
  /** /proc/cpuinfo's model name, family and model (what OpenBLAS's core detection reads). */
  cpu?: { name: string | null; family: string | null; model: string | null };
  blas: {
    /** BLAS_INFO of the torch build (Debian's: 'generic', i.e. the system libblas.so.3). */
    buildBlas: string;
    /** BLAS/LAPACK libraries mapped into the process after a matmul (real paths). */
    loaded: string[];
    /** 'reference' (Debian's default netlib BLAS), 'openblas', 'mkl', 'blis', ... */
    kind: string;
    openblasInstalled: boolean;
    /**
     * When the BLAS is OpenBLAS: the kernels it chose (`openblas_get_corename`; Debian's 0.3.21 does not
     * know recent CPUs and falls back to 'Prescott', SSE3, unless OPENBLAS_CORETYPE names a core) and
     * the OPENBLAS_CORETYPE it saw (passed through from the benchmark's environment).
     */
    openblas?: { coretypeEnv: string | null; core: string | null; config: string | null; threads: number | null } | null;
    /** oneDNN (MKL-DNN) available: torch's CPU convolutions use it whatever the BLAS. */
    mkldnn: boolean;
  };
}

/** One training-step request: see torch_nets.py for the nets. */
export interface TorchRequest {
  net: 'lenet' | 'mnv2' | 'vgg' | 'resnet' | 'mobilenet';
  batch: number;
  steps: number;
  warm?: number;
  /** vgg/resnet/mobilenet: { backboneConfig?, bottleneck?, inputShape?, tasks? (class counts) }. */
  config?: Record<string, unknown>;
  optimizer?: 'adam' | 'sgd';
}

export type TorchProbe = { ok: true; python: string } | { ok: false; reason: string };

/** The python to use, or why there is none (each candidate's failure). */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): TorchProbe {
  const override = env.MTL_SPLIT_PYTHON;
  const candidates = override ? [override] : ['/usr/bin/python3', 'python3'];
  const why: string[] = [];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
    if (r.error) {
      why.push(`${py}: ${r.error.message}`);
      continue;
    }
    if (r.status === 0) return { ok: true, python: py };
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? `exit ${r.status}`;
    why.push(`${py}: ${last}`);
  }
  const via = override ? 'MTL_SPLIT_PYTHON' : 'probed /usr/bin/python3 and python3';
  return { ok: false, reason: `no python with torch (${via}): ${why.join('; ')}` };
}

/** A running torch_nets.py --serve. */
export class TorchReference {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Interface,
    private readonly queue: ((line: string | undefined) => void)[],
    readonly info: TorchInfo,
    readonly python: string,
  ) {}

  /** Starts the reference, or returns why PyTorch is unavailable. */
  static async start(env: NodeJS.ProcessEnv = process.env): Promise<TorchReference | { absent: string }> {
    const probe = findTorchPython(env);
    if (!probe.ok) return { absent: probe.reason };
    const child = spawn(probe.python, [TORCH_SCRIPT, '--serve'], {
      env: { ...env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout });
    const queue: ((line: string | undefined) => void)[] = [];
    lines.on('line', (l) => queue.shift()?.(l));
    child.on('exit', () => {
      while (queue.length) queue.shift()?.(undefined);
    });
    const first = await new Promise<string | undefined>((res) => queue.push(res));
    if (first === undefined) return { absent: `${probe.python} ${TORCH_SCRIPT} exited: ${stderr.trim().split('\n').pop() ?? ''}` };
    return new TorchReference(child, lines, queue, JSON.parse(first) as TorchInfo, probe.python);
  }

  /** Runs `warm` untimed and `steps` timed training steps; per-step wall ms. */
  async steps(req: TorchRequest): Promise<number[]> {
    const answer = new Promise<string | undefined>((res) => this.queue.push(res));
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    const line = await answer;
    if (line === undefined) throw new Error(`torch reference exited during ${req.net}`);
    const r = JSON.parse(line) as { ms?: number[]; error?: string };
    if (r.error || !r.ms) throw new Error(`torch reference failed on ${req.net}: ${r.error ?? 'no timings'}`);
    return r.ms;
  }

  /** One line about the reference for a benchmark's header. */
  describe(): string {
    const b = this.info.blas;
    let blas = `BLAS: ${b.kind}`;
    if (b.kind === 'reference')
      blas = `BLAS: Debian's reference libblas (slow; a user would add OpenBLAS: apt install libopenblas0-openmp)`;
    else if (b.kind === 'openblas' && b.openblas) {
      const o = b.openblas;
      const forced = o.coretypeEnv ? `OPENBLAS_CORETYPE=${o.coretypeEnv}` : 'OPENBLAS_CORETYPE unset';
      const hint = o.core === 'Prescott' && !o.coretypeEnv ? "; SSE3 fallback: set OPENBLAS_CORETYPE to this CPU's core" : '';
      blas = `BLAS: OpenBLAS, core ${o.core ?? '?'} (${forced}${hint})`;
    }
    const cpu = this.info.cpu?.name ? `; CPU ${this.info.cpu.name} (family ${this.info.cpu.family}, model ${this.info.cpu.model})` : '';
    return `PyTorch ${this.info.torch} (${this.python}, ${this.info.threads} thread), ${blas}; convolutions via oneDNN: ${b.mkldnn ? 'yes' : 'no'}${cpu}`;
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
    this.child.kill();
  }
}
