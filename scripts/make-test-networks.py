#!/usr/bin/python3
"""Writes the small test networks of tests/data/networks/ (run with /usr/bin/python3, which sees
Debian's python3-torch and python3-onnx):

    /usr/bin/python3 scripts/make-test-networks.py [OUTDIR]

Made with torch 1.13.0a0 (Debian python3-torch) and onnx 1.12.0 (python3-onnx), on the CPU,
torch.manual_seed(20261130): the files are deterministic for these versions.

For each network NAME it writes
  NAME.onnx         torch.onnx.export of the float32 (or float64) model, opset 13-17;
  NAME.json         the same network in lpcert-network/2, written by THIS script independently of
                    the importer: every weight the exact dyadic "M*2^E" of its float's bits, affine
                    maps composed exactly with Fractions (a neuron sits on the layer after its
                    deepest source; LeakyReLU(a) = relu(z) - a relu(-z));
and reference.json: for every network, points (exact dyadics) and the outputs torch computes in
float64 (model.double()) as decimal strings, with the relative error bound the tests allow.
unsupported_op.onnx is a valid model with an Erf node (the importer must refuse it, naming it).
"""
import json
import math
import os
import struct
import sys
from fractions import Fraction

import onnx
import onnx.helper
import torch

SEED = 20261130
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data", "networks")


def float32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def exact(x):
    """The exact dyadic string of a float (its bits, never its decimal printing)."""
    q = Fraction(x)   # exact for a binary float
    return dyadic(q)


def dyadic(q):
    q = Fraction(q)
    if q == 0:
        return "0"
    den = q.denominator
    e = den.bit_length() - 1
    assert den == 1 << e, "not a dyadic"
    m = q.numerator
    while e > 0 and m % 2 == 0:
        m //= 2
        e -= 1
    if e == 0:
        # an integer: strip factors of two into a positive exponent
        k = 0
        while m % 2 == 0:
            m //= 2
            k += 1
        return str(m) if k == 0 else "%d*2^%d" % (m, k)
    return "%d*2^%d" % (m, -e)


# ---- an exact tracer: vectors of affine forms {source: Fraction}, source = ("x", i) or (layer, i)

class Tracer:
    def __init__(self, d):
        self.d = d
        self.layers = []   # lists of neurons {"activation", "weights": {src: Fraction}, "bias"}
        self.readouts = []

    def inputs(self):
        return [({("x", i): Fraction(1)}, Fraction(0)) for i in range(self.d)]

    @staticmethod
    def depth(form):
        w, _ = form
        return max([s[0] for s in w if s[0] != "x"], default=-1)

    def linear(self, forms, lin):
        W = lin.weight.detach().tolist()
        b = lin.bias.detach().tolist() if lin.bias is not None else [0.0] * len(W)
        out = []
        for row, bn in zip(W, b):
            acc, bias = {}, Fraction(bn)
            for wk, (fw, fb) in zip(row, forms):
                wk = Fraction(wk)
                bias += wk * fb
                for s, v in fw.items():
                    acc[s] = acc.get(s, Fraction(0)) + wk * v
            out.append(({s: v for s, v in acc.items() if v != 0}, bias))
        return out

    def add(self, a, b):
        out = []
        for (wa, ba), (wb, bb) in zip(a, b):
            w = dict(wa)
            for s, v in wb.items():
                w[s] = w.get(s, Fraction(0)) + v
            out.append(({s: v for s, v in w.items() if v != 0}, ba + bb))
        return out

    def neuron(self, activation, form):
        layer = self.depth(form) + 1
        while len(self.layers) <= layer:
            self.layers.append([])
        self.layers[layer].append({"activation": activation, "weights": form[0], "bias": form[1]})
        return (layer, len(self.layers[layer]) - 1)

    def activate(self, forms, activation, leaky=None):
        out = []
        for f in forms:
            src = self.neuron(activation, f)
            w = {src: Fraction(1)}
            if leaky is not None:
                neg = ({s: -v for s, v in f[0].items()}, -f[1])
                w[self.neuron("relu", neg)] = -Fraction(float32(leaky))   # ONNX stores the slope as a float
            out.append((w, Fraction(0)))
        return out

    def readout(self, forms):
        for w, b in forms:
            layer = max(0, self.depth((w, b))) if w else -1
            self.readouts.append({"layer": layer, "weights": w, "bias": b})

    def to_json(self):
        def src(s):
            return "x%d" % (s[1] + 1) if s[0] == "x" else "L%d:%d" % s

        def weights(w):
            return [[src(s), dyadic(v)] for s, v in sorted(w.items(), key=lambda t: (-1 if t[0][0] == "x" else t[0][0], t[0][1]))]

        return {"schema": "lpcert-network/2", "inputs": self.d,
                "layers": [{"neurons": [{"activation": n["activation"], "weights": weights(n["weights"]),
                                         "bias": dyadic(n["bias"])} for n in layer]} for layer in self.layers],
                "readouts": [{"layer": r["layer"], "weights": weights(r["weights"]), "bias": dyadic(r["bias"])}
                             for r in self.readouts]}


# ---- the networks -------------------------------------------------------------------------------

class MLP(torch.nn.Module):
    """d -> widths... -> 1 with one activation (name as in lpcert)."""

    def __init__(self, d, widths, activation, leaky=None):
        super().__init__()
        sizes = [d] + widths + [1]
        self.linears = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.activation, self.leaky = activation, leaky

    def act(self, z):
        return {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "sin": torch.sin, "cos": torch.cos,
                "softplus": torch.nn.functional.softplus,
                "leaky": lambda t: torch.nn.functional.leaky_relu(t, self.leaky)}[self.activation](z)

    def forward(self, x):
        for lin in self.linears[:-1]:
            x = self.act(lin(x))
        return self.linears[-1](x)

    def trace(self, t):
        forms = t.inputs()
        for lin in self.linears[:-1]:
            forms = t.linear(forms, lin)
            if self.activation == "leaky":
                forms = t.activate(forms, "relu", leaky=self.leaky)
            else:
                forms = t.activate(forms, self.activation)
        t.readout(t.linear(forms, self.linears[-1]))


class SinCos(MLP):
    """d -> 8 (sin) -> 8 (cos) -> 1."""

    def forward(self, x):
        x = torch.sin(self.linears[0](x))
        x = torch.cos(self.linears[1](x))
        return self.linears[2](x)

    def trace(self, t):
        forms = t.activate(t.linear(t.inputs(), self.linears[0]), "sin")
        forms = t.activate(t.linear(forms, self.linears[1]), "cos")
        t.readout(t.linear(forms, self.linears[2]))


class Residual(torch.nn.Module):
    """x_{k+1} = x_k + W2 relu(W1 x_k + b1) + b2, a Linear readout after each block."""

    def __init__(self, d, hidden, blocks):
        super().__init__()
        self.w1 = torch.nn.ModuleList(torch.nn.Linear(d, hidden) for _ in range(blocks))
        self.w2 = torch.nn.ModuleList(torch.nn.Linear(hidden, d) for _ in range(blocks))
        self.out = torch.nn.ModuleList(torch.nn.Linear(d, 1) for _ in range(blocks))

    def forward(self, x):
        outs = []
        for w1, w2, out in zip(self.w1, self.w2, self.out):
            x = x + w2(torch.relu(w1(x)))
            outs.append(out(x))
        return tuple(outs)

    def trace(self, t):
        forms = t.inputs()
        for w1, w2, out in zip(self.w1, self.w2, self.out):
            forms = t.add(forms, t.linear(t.activate(t.linear(forms, w1), "relu"), w2))
            t.readout(t.linear(forms, out))


def networks():
    yield "relu_d1", 1, MLP(1, [8, 8], "relu"), torch.float32
    yield "relu_vector_d2", 2, MLP(2, [8], "relu"), "vector"   # input of shape [2]: MatMul and Add
    yield "tanh_d2", 2, MLP(2, [8, 8], "tanh"), torch.float32
    yield "sigmoid_d1", 1, MLP(1, [8, 8], "sigmoid"), torch.float32
    yield "softplus_d2", 2, MLP(2, [8], "softplus"), torch.float32
    yield "sin_d1", 1, SinCos(1, [8, 8], "sin"), torch.float32
    yield "residual_d2", 2, Residual(2, 6, 3), torch.float32
    yield "leaky_d3", 3, MLP(3, [8, 8], "leaky", leaky=0.125), torch.float32
    m = MLP(2, [6, 6], "relu").double()
    with torch.no_grad():   # weights that need all 53 bits of a double
        for p in m.parameters():
            p.add_(torch.rand(p.shape, dtype=torch.float64) * 1e-9)
    yield "relu64_d2", 2, m, torch.float64


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    reference = {"schema": "lpcert-network-reference/1", "torch": torch.__version__, "onnx": onnx.__version__,
                 "relative_error": "1e-12", "networks": {}}
    gen = torch.Generator().manual_seed(SEED)
    for name, d, model, dtype in networks():
        model.eval()
        print(name)
        example = torch.zeros(d) if dtype == "vector" else torch.zeros(1, d, dtype=dtype)
        outputs = ["y%d" % i for i in range(3)] if isinstance(model, Residual) else ["y"]
        torch.onnx.export(model, example, os.path.join(OUT, name + ".onnx"), opset_version=13 if d != 2 else 17,
                          input_names=["x"], output_names=outputs, dynamic_axes={"x": {0: "batch"}} if d == 3 else None)
        onnx.checker.check_model(onnx.load(os.path.join(OUT, name + ".onnx")))
        t = Tracer(d)
        model.trace(t)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(t.to_json(), f, separators=(",", ":"))
            f.write("\n")
        # reference outputs in float64 at points of [-1, 1]^d (exact dyadics)
        m64 = model.double()
        points = (torch.rand(5, d, generator=gen, dtype=torch.float64) * 2 - 1)
        entries = []
        with torch.no_grad():
            for p in points:
                y = m64(p if dtype == "vector" else p.unsqueeze(0))
                ys = [v.item() for v in (y if isinstance(y, tuple) else (y,))]
                entries.append({"x": [exact(v.item()) for v in p], "y": [repr(v) for v in ys]})
        reference["networks"][name] = entries

    # a valid model with an op the importer does not take
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 2])
    node = onnx.helper.make_node("Erf", ["x"], ["y"], name="erf_node")
    model = onnx.helper.make_model(onnx.helper.make_graph([node], "unsupported", [x], [y]),
                                   opset_imports=[onnx.helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "unsupported_op.onnx"))

    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
