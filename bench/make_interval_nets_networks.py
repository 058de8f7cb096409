#!/usr/bin/env python3
"""The three networks of issue 15's speed goals (the intervalNets settings), as lpcert-network/2
JSON with exact dyadic weights: weights and biases uniform in [-1, 1] scaled by 1/sqrt(fan_in),
drawn from a fixed seed and rounded to float32 (so that the same networks can be exported to
ONNX); domain [-1, 1]^d.

    relu_1_32_32_1.json      ReLU 1 -> 32 -> 32 -> 1
    tanh_2_32_32_32_1.json   tanh 2 -> 32 -> 32 -> 32 -> 1
    relu_2_200_1.json        ReLU 2 -> 200 -> 1

Usage: python3 bench/make_interval_nets_networks.py OUT_DIR   (standard library only)
"""
import json
import math
import os
import random
import struct
import sys


def exact(x):
    """A float32 value as an exact "M*2^E" string (every finite float is a dyadic)."""
    f = struct.unpack("f", struct.pack("f", x))[0]
    if f == 0:
        return "0"
    m, e = math.frexp(f)          # f = m 2^e, 0.5 <= |m| < 1, m has at most 24 bits
    mi = int(m * (1 << 24))
    e -= 24
    while mi % 2 == 0:
        mi //= 2
        e += 1
    return f"{mi}*2^{e}"


def network(sizes, activation, rng):
    layers, readout = [], None
    for k in range(1, len(sizes)):
        fan_in = sizes[k - 1]
        scale = 1 / math.sqrt(fan_in)
        neurons = []
        for _ in range(sizes[k]):
            sources = [f"x{i + 1}" for i in range(fan_in)] if k == 1 else [f"L{k - 2}:{i}" for i in range(fan_in)]
            weights = [[s, exact(rng.uniform(-1, 1) * scale)] for s in sources]
            neurons.append({"activation": activation, "weights": weights, "bias": exact(rng.uniform(-1, 1) * scale)})
        if k < len(sizes) - 1:
            layers.append({"neurons": neurons})
        else:   # the last affine map is the readout
            n = neurons[0]
            readout = {"layer": len(layers) - 1,
                       "weights": [[f"L{len(layers) - 1}:{i}", w] for i, (_, w) in enumerate(n["weights"])],
                       "bias": n["bias"]}
    return {"schema": "lpcert-network/2", "inputs": sizes[0], "layers": layers, "readouts": [readout]}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261130)
    for name, sizes, act in [("relu_1_32_32_1", [1, 32, 32, 1], "relu"),
                             ("tanh_2_32_32_32_1", [2, 32, 32, 32, 1], "tanh"),
                             ("relu_2_200_1", [2, 200, 1], "relu")]:
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(network(sizes, act, rng), f)


if __name__ == "__main__":
    main()
