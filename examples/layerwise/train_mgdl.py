"""MGDL (multigrade deep learning, arXiv:2601.16884): train grade by grade, export to ONNX.

Run: /usr/bin/python3 examples/layerwise/train_mgdl.py
Written for Debian's python3-torch 1.13.0 and python3-onnx 1.12.0 (/usr/bin/python3 only).
Writes tests/data/layerwise/mgdl_<function>_d<d>.onnx and the "mgdl" entries of
tests/data/layerwise/manifest.json. Deterministic: a second run gives byte-identical files on
the same torch version.

The scheme, in the simpler ADDITIVE form (the paper's composition, where grade g also reads the
previous grade's last hidden features, is not used): grade g is a ReLU network
h_g(x) = A_g relu(W_g x + b_g) + c_g with one hidden layer (width 16 for d = 1, 24 for d = 2)
that reads only the input x. Grade 1 is trained on f; grade g > 1 is trained on the residual
r_{g-1} = f - (h_1 + ... + h_{g-1}) with every earlier grade frozen (its residual is computed
once and never changes). The readout after grade g is Phi_g = h_1 + ... + h_g; the ONNX graph
has one output per grade, Phi_1, ..., Phi_G, in that order. The claim lpcert checks: the error
||f - Phi_g|| decreases with g.

Training of a grade: hidden kinks placed through uniform random points of [0,1]^d
(common.breakpoint_init), the output layer solved by least squares on those fixed features,
then full-batch Adam and an L-BFGS polish on all the grade's parameters (MSE on the training
grid); if that ends above the least-squares start, the start is kept, so no grade raises the
training residual.
"""

import copy
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

GRADES = 4
ADAM_STEPS = 600
LBFGS_ITERATIONS = 200
LR = 1e-2
SEED = 16001


class Grade(torch.nn.Module):
    def __init__(self, d, width):
        super().__init__()
        self.hidden = torch.nn.Linear(d, width)
        self.out = torch.nn.Linear(width, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


class Multigrade(torch.nn.Module):
    """forward(x [n, d]) -> (Phi_1, ..., Phi_G), each [n, 1]."""

    def __init__(self, d, width, grades):
        super().__init__()
        self.grades = torch.nn.ModuleList([Grade(d, width) for _ in range(grades)])

    def forward(self, x):
        readouts = []
        phi = None
        for grade in self.grades:
            h = grade(x)
            phi = h if phi is None else phi + h
            readouts.append(phi)
        return tuple(readouts)


def train_case(function, d, case_index):
    width = 16 if d == 1 else 24
    scale = 40.0 if function == "oscillatory" else 8.0
    gen = torch.Generator().manual_seed(SEED + case_index)
    torch.manual_seed(SEED + case_index)
    x = common.training_grid(d)
    y = common.target(function, x).reshape(-1, 1)
    net = Multigrade(d, width, GRADES)
    residual = y.clone()
    losses = []
    for grade in net.grades:
        common.breakpoint_init(grade.hidden, d, gen, scale)
        with torch.no_grad():  # least-squares output layer on the fixed features
            feats = torch.cat([torch.relu(grade.hidden(x)), torch.ones(x.shape[0], 1)], dim=1)
            sol = torch.linalg.lstsq(feats, residual, driver="gelsd").solution
            grade.out.weight.copy_(sol[:-1].T)
            grade.out.bias.copy_(sol[-1])
        target = residual  # earlier grades are frozen: their residual is a constant tensor

        def loss_fn():
            return torch.mean((grade(x) - target) ** 2)

        with torch.no_grad():
            start_loss = float(loss_fn())
            start_state = copy.deepcopy(grade.state_dict())
        loss = common.fit(grade.parameters(), loss_fn, ADAM_STEPS, LR, LBFGS_ITERATIONS)
        if not loss < start_loss:
            # Adam's first steps (lr 1e-2) can throw a grade far from the least-squares start
            # when the residual is already small; keep the start, so that a grade never raises
            # the training residual (the start does not: h_g = 0 is among its candidates).
            grade.load_state_dict(start_state)
            loss = start_loss
            print("  grade %d: training did not improve on the least-squares start; kept it"
                  % (len(losses) + 1))
        losses.append(loss)
        for p in grade.parameters():
            p.requires_grad_(False)
        with torch.no_grad():
            residual = residual - grade(x)
    return net, losses


def main():
    common.setup_determinism()
    entries = []
    with common.Timer() as total:
        for i, (function, d) in enumerate(common.CASES):
            with common.Timer() as t:
                net, losses = train_case(function, d, i)
            print("mgdl %s d=%d trained in %.1f s wall, %.1f s CPU"
                  % (function, d, t.seconds, t.cpu_seconds))
            entries.append(common.finish_case(net, "mgdl", function, d, GRADES, losses,
                                              "mgdl_%s_d%d.onnx" % (function, d)))
    common.update_manifest({"mgdl"}, entries)
    print("MGDL total time (training, export, checks): %.1f s wall, %.1f s CPU"
          % (total.seconds, total.cpu_seconds))


if __name__ == "__main__":
    main()
