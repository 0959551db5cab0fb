#!/usr/bin/env python3
"""PyTorch reference for the training-step benchmarks (packages/runtime/bench/train-step.bench.ts and
packages/model/bench/backbones.bench.ts): the same nets (same layers, shapes and batch sizes), timed
as forward + backward + optimizer step on one thread.

  python3 torch_nets.py --info                        # one JSON line: torch version, threads, BLAS
  python3 torch_nets.py --net lenet --batch 256 --steps 5 [--warm 1] [--config JSON] [--optimizer adam]
  python3 torch_nets.py --serve                       # info line, then one JSON request per stdin line

A request is {"net": ..., "batch": N, "steps": N, "warm": N, "config": {...}, "optimizer": "adam"|"sgd"};
the answer is {"ms": [per-step wall ms], "median": ms}. Models and their data are cached per request
shape, so alternating rounds (ours, torch, ours, torch) reuse them.

Nets (NHWC shapes of the TypeScript side; PyTorch runs NCHW, same sizes):
- lenet: bench/nets.ts leNet(), 28x28x1: conv 6 5x5 same + ReLU, max pool 2, conv 16 5x5 valid + ReLU,
  max pool 2, dense 120, 84, 10; softmax cross-entropy.
- mnv2: bench/nets.ts mobileNetV2Stack(), 32x32x3: conv-BN-ReLU6 stem 16, five inverted residual
  blocks (16/1/x1, 24/2, 24/1, 32/2, 32/1, expansion 6), 1x1 conv-BN-ReLU6 128, global average pool, dense 10.
- vgg, resnet, mobilenet: @mtl-split/model backbones (config as in their TypeScript files, defaults
  filled in the same way), optional bottleneck {"point": "block4", "channels": 8}, and one
  classification head per task (dense 64, dropout 0.1, ReLU, dense classes); loss = sum of the tasks'
  cross-entropies. Batch norm: no conv bias, eps 1e-3 (as ours).
"""
import argparse
import glob
import json
import os
import re
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass


def blas_info():
    """Which BLAS this torch build calls, and which library the process actually mapped."""
    cfg = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", cfg)
    a = torch.randn(64, 64)
    torch.mm(a, a)  # make sure the BLAS library is loaded
    nn.functional.linear(a, a)
    loaded = set()
    try:
        with open("/proc/self/maps", encoding="utf8") as f:
            for line in f:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path).lower()
                if "blas" in base or "mkl" in base or "lapack" in base:
                    loaded.add(os.path.realpath(path))
    except OSError:
        pass
    # The BLAS torch calls is the one file mapped as libblas.so.3 (Debian's torch links that soname;
    # the alternative chosen decides the file); LAPACK may come from another library.
    blas_files = [p for p in loaded if os.path.basename(p).lower().startswith("libblas.so")]
    names = " ".join(sorted(blas_files or loaded)).lower()
    if re.search(r"/blas/libblas\.so", names):
        kind = "reference"
    elif "openblas" in names:
        kind = "openblas"
    elif "mkl" in names:
        kind = "mkl"
    elif "blis" in names:
        kind = "blis"
    elif loaded:
        kind = "unknown"
    else:
        kind = "none loaded (static or not used)"
    openblas_installed = bool(glob.glob("/usr/lib/*/openblas*/libblas.so*") or glob.glob("/usr/lib/*/libopenblas*.so*"))
    return {
        "buildBlas": m.group(1) if m else "unknown",
        "loaded": sorted(loaded),
        "kind": kind,
        "openblasInstalled": openblas_installed,
        "openblas": openblas_core(loaded) if kind == "openblas" else None,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
    }


def openblas_core(loaded):
    """The kernels OpenBLAS picked (a DYNAMIC_ARCH build chooses by CPU model at load time; a model it
    does not know falls back to Prescott, i.e. SSE3) and the OPENBLAS_CORETYPE that forced it, if any."""
    import ctypes

    out = {"coretypeEnv": os.environ.get("OPENBLAS_CORETYPE"), "core": None, "config": None, "threads": None}
    for path in loaded:
        if "openblas" not in os.path.basename(path).lower():
            continue
        try:
            lib = ctypes.CDLL(path)  # already mapped: the same instance torch calls
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            out["core"] = lib.openblas_get_corename().decode()
            out["config"] = lib.openblas_get_config().decode().strip()
            out["threads"] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return out


def cpu_model():
    """The CPU's model name and family/model numbers (what OpenBLAS's core detection reads)."""
    fields = {}
    try:
        with open("/proc/cpuinfo", encoding="utf8") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k in ("model name", "cpu family", "model", "stepping") and k not in fields:
                    fields[k] = v.strip()
                if not line.strip() and fields:
                    break
    except OSError:
        pass
    return {"name": fields.get("model name"), "family": fields.get("cpu family"), "model": fields.get("model")}


def info():
    return {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "cpu": cpu_model(),
        "blas": blas_info(),
    }


# ---- the tf.layers nets of packages/runtime/bench/nets.ts ----


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def conv_bn_relu6(cin, cout, k, stride=1, groups=1):
    # Keras BatchNormalization: eps 1e-3
    return [nn.Conv2d(cin, cout, k, stride, padding=k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-3), nn.ReLU6()]


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand=6):
        super().__init__()
        hidden = cin * expand
        self.body = nn.Sequential(
            *conv_bn_relu6(cin, hidden, 1),
            *conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3),
        )
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def mnv2_stack():
    return nn.Sequential(
        *conv_bn_relu6(3, 16, 3),
        InvertedResidual(16, 16, 1, 1), InvertedResidual(16, 24, 2), InvertedResidual(24, 24, 1),
        InvertedResidual(24, 32, 2), InvertedResidual(32, 32, 1),
        *conv_bn_relu6(32, 128, 1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10),
    )


# ---- the @mtl-split/model backbones (src/backbones/*.ts) ----

ACT = {"relu": nn.ReLU, "relu6": nn.ReLU6, "linear": nn.Identity}


def conv(cin, cout, k, stride=1, act="relu", bn=True, depthwise=False):
    """layers.ts conv(): 'same' conv (TF pads stride-2 convs asymmetrically; same output size), BN or bias."""
    layers = [nn.Conv2d(cin, cout, k, stride, padding=k // 2, groups=cin if depthwise else 1, bias=not bn)]
    if bn:
        layers.append(nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1))
    layers.append(ACT[act]())
    return nn.Sequential(*layers)


def out_hw(h, stride):
    return -(-h // stride)


class ResBlock(nn.Module):
    def __init__(self, cin, width, stride, bn):
        super().__init__()
        self.c1 = conv(cin, width, 3, stride, bn=bn)
        self.c2 = conv(width, width, 3, 1, act="linear", bn=bn)
        self.proj = conv(cin, width, 1, stride, act="linear", bn=bn) if stride != 1 or cin != width else None

    def forward(self, x):
        s = self.proj(x) if self.proj is not None else x
        return torch.relu(self.c2(self.c1(x)) + s)


class MbBlock(nn.Module):
    def __init__(self, cin, out, stride, expansion, bn):
        super().__init__()
        hidden = cin * expansion
        self.body = nn.Sequential(
            conv(cin, hidden, 1, act="relu6", bn=bn),
            conv(hidden, hidden, 3, stride, act="relu6", bn=bn, depthwise=True),
            conv(hidden, out, 1, act="linear", bn=bn),
        )
        self.residual = stride == 1 and cin == out

    def forward(self, x):
        y = self.body(x)
        return y + x if self.residual else y


def backbone(name, shape, cfg):
    """Blocks as (name, module, out shape [h, w, c]) in order, without `features`."""
    h, w, c = shape
    blocks = []
    bn = cfg.get("batchNorm", True)
    if name == "vgg":
        for i, width in enumerate(cfg.get("stages", [16, 32, 64])):
            layers = []
            for _ in range(cfg.get("convsPerStage", 1)):
                layers.append(conv(c, width, 3, bn=bn))
                c = width
            layers.append(nn.MaxPool2d(2, 2, ceil_mode=True))
            h, w = out_hw(h, 2), out_hw(w, 2)
            blocks.append((f"block{i + 1}", nn.Sequential(*layers), [h, w, c]))
    elif name == "resnet":
        stem = cfg.get("stem", 16)
        blocks.append(("block1", conv(c, stem, 3, bn=bn), [h, w, stem]))
        c = stem
        for width in cfg.get("stages", [32, 48, 64]):
            for j in range(cfg.get("blocksPerStage", 1)):
                stride = 2 if j == 0 else 1
                h, w = out_hw(h, stride), out_hw(w, stride)
                blocks.append((f"block{len(blocks) + 1}", ResBlock(c, width, stride, bn), [h, w, width]))
                c = width
    elif name == "mobilenet":
        stem = cfg.get("stem", 16)
        blocks.append(("block1", conv(c, stem, 3, act="relu6", bn=bn), [h, w, stem]))
        c = stem
        stages = cfg.get("stages", [
            {"out": 24, "stride": 2, "expansion": 4}, {"out": 32, "stride": 2, "expansion": 4},
            {"out": 32, "stride": 1, "expansion": 4}, {"out": 64, "stride": 2, "expansion": 4},
        ])
        for st in stages:
            h, w = out_hw(h, st["stride"]), out_hw(w, st["stride"])
            blocks.append((f"block{len(blocks) + 1}", MbBlock(c, st["out"], st["stride"], st["expansion"], bn), [h, w, st["out"]]))
            c = st["out"]
    else:
        raise ValueError(f"unknown backbone '{name}': valid are vgg, resnet, mobilenet")
    return blocks


class MtlNet(nn.Module):
    def __init__(self, name, shape, cfg, tasks, bottleneck=None, hidden=64, dropout=0.1):
        super().__init__()
        blocks = backbone(name, shape, cfg)
        mods = []
        for i, (bname, mod, out) in enumerate(blocks):
            mods.append(mod)
            if bottleneck and bname == bottleneck["point"]:
                # bottleneck.ts: 1x1 conv encoder (ReLU, bias) on the edge side, 1x1 decoder back on the cloud side
                ch = bottleneck["channels"]
                mods.append(conv(out[2], ch, 1, bn=False))
                mods.append(conv(ch, out[2], 1, bn=False))
        if bottleneck and bottleneck["point"] not in [b[0] for b in blocks]:
            raise ValueError(f"invalid bottleneck point {bottleneck['point']}")
        self.body = nn.Sequential(*mods)
        h, w, c = blocks[-1][2]
        gap = cfg.get("pool", "flatten") == "gap"
        self.gap = gap
        feat = c if gap else h * w * c
        self.heads = nn.ModuleList(
            nn.Sequential(nn.Linear(feat, hidden), nn.Dropout(dropout), nn.ReLU(), nn.Linear(hidden, k)) for k in tasks
        )

    def forward(self, x):
        y = self.body(x)
        # tfjs flattens NHWC; the order does not change the cost
        f = y.mean((2, 3)) if self.gap else y.permute(0, 2, 3, 1).flatten(1)
        return [h(f) for h in self.heads]


# ---- timing ----

INPUTS = {"lenet": ([28, 28, 1], 10), "mnv2": ([32, 32, 3], 10)}
_cache = {}


def build(req):
    net = req["net"]
    batch = int(req["batch"])
    cfg = req.get("config") or {}
    key = json.dumps([net, batch, cfg, req.get("optimizer", "adam")], sort_keys=True)
    if key in _cache:
        return _cache[key]
    g = torch.Generator().manual_seed(1)
    if net in ("lenet", "mnv2"):
        shape, classes = INPUTS[net]
        model = lenet() if net == "lenet" else mnv2_stack()
        tasks = [classes]
    else:
        shape = cfg.get("inputShape", [28, 28, 1])
        tasks = cfg.get("tasks", [10, 10])
        model = MtlNet(net, shape, cfg.get("backboneConfig", {}), tasks, cfg.get("bottleneck"))
    model.train()
    x = torch.rand(batch, shape[2], shape[0], shape[1], generator=g)
    ys = [torch.randint(0, k, (batch,), generator=g) for k in tasks]
    lr = 1e-3
    opt = torch.optim.SGD(model.parameters(), lr=lr) if req.get("optimizer") == "sgd" else torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        out = model(x)
        outs = out if isinstance(out, list) else [out]
        loss = sum(loss_fn(o, y) for o, y in zip(outs, ys))
        loss.backward()
        opt.step()

    _cache[key] = step
    return step


def run(req):
    step = build(req)
    for _ in range(int(req.get("warm", 1))):
        step()
    ms = []
    for _ in range(int(req.get("steps", 5))):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000)
    s = sorted(ms)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"ms": ms, "median": med}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--info", action="store_true")
    p.add_argument("--serve", action="store_true")
    p.add_argument("--net", choices=["lenet", "mnv2", "vgg", "resnet", "mobilenet"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warm", type=int, default=1)
    p.add_argument("--config", default="{}")
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    a = p.parse_args()
    if a.info:
        print(json.dumps(info()), flush=True)
        return
    if a.serve:
        print(json.dumps(info()), flush=True)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                print(json.dumps(run(json.loads(line))), flush=True)
            except Exception as e:  # answer, keep serving
                print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
        return
    if not a.net:
        p.error("give --net, --info or --serve")
    print(json.dumps(run({"net": a.net, "batch": a.batch, "steps": a.steps, "warm": a.warm, "config": json.loads(a.config), "optimizer": a.optimizer})))


if __name__ == "__main__":
    main()
