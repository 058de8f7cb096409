"""Shared pieces of the layer-wise training scripts (issue 16, the training half).

Written for Debian's python3-torch 1.13.0 and python3-onnx 1.12.0, run with /usr/bin/python3.
The ONNX files embed the producer version (pytorch 1.13.0): byte-identical regeneration is
promised on that version only.

Decisions, stated once:
- Targets: lpcert's catalog entries, by catalog name, with the catalog's expression string
  (quadrature/catalog.cpp). Inputs x1..xd on [0,1]^d.
- Training data: a fixed grid of cell midpoints, (i + 1/2)/n per axis (n = 256 for d = 1,
  n = 32 for d = 2, so 256 and 1024 points); no randomness in the data.
- Training arithmetic: float64 (parameters and data), full-batch Adam then an L-BFGS polish,
  fixed seeds, torch.use_deterministic_algorithms(True), torch.set_num_threads(1).
- Export: the trained module is rounded to float32 (every float32 is an exact dyadic, so the
  file defines one exact network) and exported with torch.onnx.export, opset 13, input shape
  [1, d], one graph output per readout in readout order (names readout_0, readout_1, ...).
- Estimates: the per-readout L^2([0,1]^d) and sup errors in the manifest are ESTIMATES (not
  certified): the exported file itself is evaluated in float64 by the small numpy evaluator
  below on a fine grid of nodes (2^16 + 1 nodes for d = 1, 513 x 513 for d = 2); L^2 by the
  composite trapezoidal rule, sup as the maximum over the nodes (a lower estimate of the sup).
  lpcert's `verify certify-network` is what certifies or refutes the claims.
"""

import copy
import fcntl
import hashlib
import json
import math
import os
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(REPO, "tests", "data", "layerwise")
MANIFEST = os.path.join(OUT_DIR, "manifest.json")

# The ops the certifier accepts (Mul and Div only by a constant).
ALLOWED_OPS = {"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Identity", "Flatten",
               "Reshape", "Unsqueeze", "Squeeze", "Concat", "Constant"}


def setup_determinism():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float64)


# Catalog name -> (expression exactly as in lpcert's catalog, torch function of x [n, d]).
# The d = 2 oscillatory case is the catalog's other "oscillatory" entry, chirp = sin(10 x1^2)
# (1.6 periods, frequency rising along x1), as a function of (x1, x2): the catalog has no entry
# that oscillates in both variables (quadrature/catalog.cpp), and its "oscillatory"
# sin(16 pi x1) in d = 2 is beyond these small networks (tried: MGDL, 4 grades of width 24,
# left the L2 error at 0.675 against ||f||_2 = 0.707).
TARGETS = {
    "sine": ("sin(2*pi*x1)", lambda x: torch.sin(2 * math.pi * x[:, 0])),
    "smooth_2d": ("sin(2*pi*x1)*cos(2*pi*x2) + x2^2/2",
                  lambda x: torch.sin(2 * math.pi * x[:, 0]) * torch.cos(2 * math.pi * x[:, 1])
                  + x[:, 1] ** 2 / 2),
    "kink": ("abs(x1 - 1/3)", lambda x: torch.abs(x[:, 0] - 1.0 / 3.0)),
    "pyramid": ("1 - max(abs(x1 - 0.45), abs(x2 - 0.55))",
                lambda x: 1 - torch.maximum(torch.abs(x[:, 0] - 0.45), torch.abs(x[:, 1] - 0.55))),
    "oscillatory": ("sin(16*pi*x1)", lambda x: torch.sin(16 * math.pi * x[:, 0])),
    "chirp": ("sin(10*x1^2)", lambda x: torch.sin(10 * x[:, 0] ** 2)),
}

# (function, d) cases, in the order the files are produced. A case's position is part of its
# seed (SEED + index in the scripts): new cases go at the end, so that the earlier files stay
# byte-identical.
CASES = [("sine", 1), ("kink", 1), ("oscillatory", 1), ("smooth_2d", 2), ("pyramid", 2),
         ("chirp", 2)]


def target(name, x):
    return TARGETS[name][1](x)


def tensor_grid(axis_points, d):
    """All points of the tensor grid axis_points^d, as an [n^d, d] float64 tensor."""
    mesh = torch.meshgrid(*([axis_points] * d), indexing="ij")
    return torch.stack([m.reshape(-1) for m in mesh], dim=1)


def training_grid(d):
    n = 256 if d == 1 else 32
    axis = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    return tensor_grid(axis, d)


def breakpoint_init(linear, d, generator, scale):
    """Initialise a first hidden layer so that every ReLU hyperplane w.x + b = 0 passes through a
    point drawn uniformly in [0,1]^d (a random-feature initialisation that puts the kinks where
    the data are; the default initialisation leaves many of them outside the domain)."""
    with torch.no_grad():
        width = linear.weight.shape[0]
        direction = torch.randn(width, d, generator=generator)
        direction = direction / direction.norm(dim=1, keepdim=True)
        magnitude = scale * (0.5 + torch.rand(width, 1, generator=generator))
        w = direction * magnitude
        centre = torch.rand(width, d, generator=generator)
        linear.weight.copy_(w)
        linear.bias.copy_(-(w * centre).sum(dim=1))


def fit(parameters, loss_fn, adam_steps, lr, lbfgs_iterations):
    """Full-batch Adam with a cosine learning-rate decay from lr to lr/1000, then an L-BFGS
    polish (strong Wolfe line search) for a fixed number of iterations: Adam's jitter at its
    final learning rate would otherwise set the error floor. Returns the final loss."""
    parameters = list(parameters)
    opt = torch.optim.Adam(parameters, lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 1e-3 + (1 - 1e-3) * 0.5 * (1 + math.cos(math.pi * s / adam_steps)))
    for _ in range(adam_steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        sched.step()
    if lbfgs_iterations > 0:
        lbfgs = torch.optim.LBFGS(parameters, lr=1, max_iter=lbfgs_iterations, history_size=50,
                                  line_search_fn="strong_wolfe", tolerance_grad=0,
                                  tolerance_change=0)

        def closure():
            lbfgs.zero_grad()
            value = loss_fn()
            value.backward()
            return value

        lbfgs.step(closure)
    with torch.no_grad():
        return float(loss_fn())


# ---------------------------------------------------------------- ONNX export and checks

def export_onnx(module, d, n_readouts, path):
    """Export a float32 copy of `module` (forward: x [1, d] -> tuple of [1, 1] readouts)."""
    m32 = copy.deepcopy(module).float().eval()
    dummy = torch.zeros(1, d, dtype=torch.float32)
    names = ["readout_%d" % i for i in range(n_readouts)]
    torch.onnx.export(m32, (dummy,), path, opset_version=13, input_names=["x"],
                      output_names=names, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    ops = sorted({node.op_type for node in model.graph.node})
    bad = [op for op in ops if op not in ALLOWED_OPS]
    if bad:
        raise RuntimeError("%s: ops outside the certifier's list: %s" % (path, bad))
    if [o.name for o in model.graph.output] != names:
        raise RuntimeError("%s: outputs are not %s" % (path, names))
    return m32, ops


class OnnxEvaluator:
    """A tiny float64 evaluator for the op list above; independent of torch. Evaluates a batch
    of points by running the [1, d] graph with the batch in the leading dimension (every op
    used here is row-wise)."""

    def __init__(self, path):
        self.model = onnx.load(path)
        self.consts = {t.name: onnx.numpy_helper.to_array(t).astype(np.float64)
                       for t in self.model.graph.initializer}
        self.input = self.model.graph.input[0].name
        self.outputs = [o.name for o in self.model.graph.output]

    @staticmethod
    def _attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def __call__(self, x):
        env = dict(self.consts)
        env[self.input] = np.asarray(x, dtype=np.float64)
        for node in self.model.graph.node:
            a = self._attrs(node)
            ins = [env[i] for i in node.input if i != ""]
            op = node.op_type
            if op == "Gemm":
                A, B = ins[0], ins[1]
                if a.get("transA", 0):
                    A = A.T
                if a.get("transB", 0):
                    B = B.T
                y = a.get("alpha", 1.0) * (A @ B)
                if len(ins) > 2:
                    y = y + a.get("beta", 1.0) * ins[2]
            elif op == "MatMul":
                y = ins[0] @ ins[1]
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Sub":
                y = ins[0] - ins[1]
            elif op == "Mul":
                y = ins[0] * ins[1]
            elif op == "Div":
                y = ins[0] / ins[1]
            elif op == "Relu":
                y = np.maximum(ins[0], 0.0)
            elif op == "Identity":
                y = ins[0]
            elif op == "Constant":
                y = onnx.numpy_helper.to_array(a["value"]).astype(np.float64)
            else:
                raise RuntimeError("evaluator: op %s not implemented" % op)
            env[node.output[0]] = y
        return [env[name] for name in self.outputs]


def check_onnx_against_torch(path, m32, d, n_points=7):
    """Max |ONNX (numpy, float64) - torch| at a few fixed points. Compared with the float32
    module run in float64 (the same exact weights: should agree to ~1e-15) and run in float32
    (what torch computes natively: ~1e-7)."""
    pts = torch.linspace(0, 1, n_points, dtype=torch.float64)
    x = tensor_grid(pts, d) if d == 1 else tensor_grid(pts[::2], d)
    ev = OnnxEvaluator(path)
    onnx_out = ev(x.numpy())
    with torch.no_grad():
        t64 = copy.deepcopy(m32).double()(x)
        t32 = m32(x.float())
    diff64 = max(float(np.max(np.abs(o - t.numpy()))) for o, t in zip(onnx_out, t64))
    diff32 = max(float(np.max(np.abs(o - t.double().numpy()))) for o, t in zip(onnx_out, t32))
    return diff64, diff32


def estimate_errors(path, function, d):
    """ESTIMATES of ||f - Phi_k||_L2([0,1]^d) and sup |f - Phi_k| per readout (see the header)."""
    n = 2 ** 16 if d == 1 else 512
    axis = torch.linspace(0, 1, n + 1, dtype=torch.float64)
    x = tensor_grid(axis, d)
    f = target(function, x).numpy()
    weights_1d = np.full(n + 1, 1.0 / n)
    weights_1d[0] = weights_1d[-1] = 0.5 / n
    w = weights_1d if d == 1 else np.outer(weights_1d, weights_1d).reshape(-1)
    outs = OnnxEvaluator(path)(x.numpy())
    l2, sup = [], []
    for o in outs:
        e = f - o.reshape(-1)
        l2.append(float(math.sqrt(np.sum(w * e * e))))
        sup.append(float(np.max(np.abs(e))))
    return l2, sup


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def update_manifest(schemes, entries):
    """Replace the manifest's entries of `schemes` by `entries`; keep the others (each script
    owns its schemes). Written with sorted keys and files in name order: deterministic."""
    # The two scripts may run at the same time: lock the directory (no lock file left behind).
    fd = os.open(OUT_DIR, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _update_manifest_locked(schemes, entries)
    finally:
        os.close(fd)


def _update_manifest_locked(schemes, entries):
    data = {"schema": "lpcert-layerwise-manifest/1", "networks": []}
    if os.path.exists(MANIFEST):
        with open(MANIFEST) as fh:
            data = json.load(fh)
    kept = [e for e in data["networks"] if e["scheme"] not in schemes]
    data["networks"] = sorted(kept + entries, key=lambda e: e["file"])
    data["estimate_note"] = (
        "estimated_error_l2 and estimated_error_sup are float64 ESTIMATES on a grid of nodes "
        "(2^16+1 for d=1, 513x513 for d=2; L2 by the trapezoidal rule over [0,1]^d, sup as the "
        "max over the nodes), computed from the exported float32 weights; not certified.")
    with open(MANIFEST, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
        fh.write("\n")


def finish_case(module, scheme, function, d, n_readouts, train_losses, filename):
    """Export, check, estimate; print a line per readout; return the manifest entry."""
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, filename)
    m32, ops = export_onnx(module, d, n_readouts, path)
    diff64, diff32 = check_onnx_against_torch(path, m32, d)
    l2, sup = estimate_errors(path, function, d)
    size = os.path.getsize(path)
    print("%s: %s %s d=%d, %d readouts, %d bytes, ops %s" % (
        filename, scheme, function, d, n_readouts, size, ",".join(ops)))
    print("  onnx(numpy f64) vs torch: max diff %.3g (float32 weights in f64), %.3g (torch f32)"
          % (diff64, diff32))
    for k in range(n_readouts):
        print("  readout %d: train MSE %.3e  est. L2 %.4e  est. sup %.4e"
              % (k, train_losses[k], l2[k], sup[k]))
    mono = all(l2[k + 1] < l2[k] for k in range(n_readouts - 1))
    print("  estimated L2 errors strictly decreasing: %s" % mono)
    return {"file": filename, "scheme": scheme, "function": function,
            "expression": TARGETS[function][0], "d": d, "readouts": n_readouts,
            "train_mse": train_losses, "estimated_error_l2": l2, "estimated_error_sup": sup,
            "ops": ops, "bytes": size, "sha256": sha256(path)}


class Timer:
    """Wall-clock seconds and this process's CPU seconds (the machine is shared: wall time
    includes waiting for a core)."""

    def __enter__(self):
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.cpu_seconds = time.process_time() - self.cpu_start
