#pragma once
// ONNX import (INTERFACE.md "Certifying any network"): a model as torch.onnx.export writes it
// (opsets 13-17), with one vector input x of shape [d] or [1, d] (a batch dimension of 1 or
// symbolic), becomes a Network whose readouts are the graph outputs' entries, in output order.
//
// The model is first validated by the ONNX checker (onnx::checker::check_model). Values are then
// vectors of affine forms in the inputs and the neurons: affine nodes (Gemm, MatMul, Add, Sub,
// Neg, Mul and Div by constants, shape no-ops, Concat) compose EXACTLY (every float32/float64
// initializer is a dyadic, products and sums of dyadics are dyadics: nothing is rounded); a
// nonlinear node (Relu, LeakyRelu, Tanh, Sigmoid, Softplus, Sin, Cos, Floor) makes one neuron per
// entry on the layer after its deepest source (LeakyRelu with slope a: relu(z) - a relu(-z), two
// ReLU neurons). Skip connections are then carried by identity neurons (flatten()).
//
// Errors: anything unsupported or malformed throws InputError with one line naming the node and
// its op (or the initializer, or the file); a model beyond OnnxLimits throws ResourceLimit.

#include <string>

#include "construction/network.hpp"
#include "quadrature/dyadic.hpp"

namespace lpcert {

struct OnnxLimits {
    long max_file_bytes = 256L << 20;   // the file itself
    long max_weights = 2000000;         // nonzero weights of the network (and of any affine value)
    long max_neurons = 1000000;         // neurons, identity carries included
    long max_nodes = 100000;            // graph nodes
    int max_inputs = 65536;             // d
};

// The network of the ONNX model in the file `path` / in the bytes `model`.
Network import_onnx(const std::string& path, const OnnxLimits& limits = OnnxLimits());
Network import_onnx_bytes(const std::string& model, const OnnxLimits& limits = OnnxLimits());
// The same before flattening (neurons of a node on the layer after its deepest source).
SkipNetwork import_onnx_skip(const std::string& model, const OnnxLimits& limits = OnnxLimits());

// The exact value of a finite float or double (every one is a dyadic: no decimal printing);
// throws InputError naming `what` for an infinity or NaN.
Dyadic dyadic_from_double(double x, const std::string& what);

// True when the bytes of a file start like a JSON object (first non-blank byte '{'); anything else
// is read as an ONNX protobuf.
bool looks_like_json(const std::string& head);

}  // namespace lpcert
