"""LPA (layer-wise progressive approximation, arXiv:2604.24154) and its end-to-end twin.

Run: /usr/bin/python3 examples/layerwise/train_lpa.py
Written for Debian's python3-torch 1.13.0 and python3-onnx 1.12.0 (/usr/bin/python3 only).
Writes tests/data/layerwise/lpa_<function>_d<d>.onnx, end-to-end_<function>_d<d>.onnx and the
"lpa" and "end-to-end" entries of tests/data/layerwise/manifest.json. Deterministic: a second
run gives byte-identical files on the same torch version.

The scheme: a linear (affine) lift x_0 = L x from R^d to width W, then residual blocks
x_{k+1} = x_k + g_k(x_k) with g_k(z) = B_k relu(A_k z + a_k) + b_k (W -> H -> W), and a linear
readout head at every layer, Phi_k = head_k(x_k) for k = 0 (after the lift, an affine function
of x) .. K (after the last block): K + 1 readouts, exported in that order. LPA trains everything
at once on the weighted sum over k of the per-readout MSEs, sum_k 2^k MSE_k ("train once, use
N models"; the weights favour depth, so that a deeper readout is not sacrificed to a shallower
one); its claim is that the error ||f - Phi_k|| decreases with depth k. Training: full-batch
Adam, then an L-BFGS polish (common.fit), on the training grid, width W = 12, hidden width
H = W, K = 4 blocks.

The end-to-end twin: the same architecture, the same seed (so the same initial parameters),
trained the same way on the LAST readout's MSE only. Its intermediate heads head_0 .. head_{K-1} are frozen
at their initialisation (they are "not trained"), so its intermediate readouts are whatever
the trained trunk gives through random heads; the monotone-error claim is expected to fail.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

BLOCKS = 4
ADAM_STEPS = 800
LBFGS_ITERATIONS = 300
LR = 1e-2
SEED = 16101


class ResidualBlock(torch.nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.inner = torch.nn.Linear(width, hidden)
        self.outer = torch.nn.Linear(hidden, width)

    def forward(self, z):
        return z + self.outer(torch.relu(self.inner(z)))


class LayerwiseResNet(torch.nn.Module):
    """forward(x [n, d]) -> (Phi_0, ..., Phi_K), each [n, 1]."""

    def __init__(self, d, width, hidden, blocks):
        super().__init__()
        self.lift = torch.nn.Linear(d, width)
        self.blocks = torch.nn.ModuleList([ResidualBlock(width, hidden) for _ in range(blocks)])
        self.heads = torch.nn.ModuleList([torch.nn.Linear(width, 1) for _ in range(blocks + 1)])

    def forward(self, x):
        z = self.lift(x)
        readouts = [self.heads[0](z)]
        for block, head in zip(self.blocks, self.heads[1:]):
            z = block(z)
            readouts.append(head(z))
        return tuple(readouts)


def train_case(function, d, case_index, end_to_end):
    width = 12
    hidden = width
    torch.manual_seed(SEED + case_index)  # the same for LPA and its twin: the same init
    x = common.training_grid(d)
    y = common.target(function, x).reshape(-1, 1)
    net = LayerwiseResNet(d, width, hidden, BLOCKS)
    if end_to_end:
        for head in net.heads[:-1]:
            for p in head.parameters():
                p.requires_grad_(False)

    def loss_fn():
        outs = net(x)
        if end_to_end:
            return torch.mean((outs[-1] - y) ** 2)
        return sum(2.0 ** k * torch.mean((o - y) ** 2) for k, o in enumerate(outs))

    params = [p for p in net.parameters() if p.requires_grad]
    common.fit(params, loss_fn, ADAM_STEPS, LR, LBFGS_ITERATIONS)
    with torch.no_grad():
        losses = [float(torch.mean((o - y) ** 2)) for o in net(x)]
    return net, losses


def main():
    common.setup_determinism()
    entries = []
    with common.Timer() as total:
        for i, (function, d) in enumerate(common.CASES):
            for scheme in ("lpa", "end-to-end"):
                with common.Timer() as t:
                    net, losses = train_case(function, d, i, scheme == "end-to-end")
                print("%s %s d=%d trained in %.1f s wall, %.1f s CPU"
                      % (scheme, function, d, t.seconds, t.cpu_seconds))
                entries.append(common.finish_case(net, scheme, function, d, BLOCKS + 1, losses,
                                                  "%s_%s_d%d.onnx" % (scheme, function, d)))
    common.update_manifest({"lpa", "end-to-end"}, entries)
    print("LPA and end-to-end total time (training, export, checks): %.1f s wall, %.1f s CPU"
          % (total.seconds, total.cpu_seconds))


if __name__ == "__main__":
    main()
