#pragma once
// The partition of a 1-D domain [lo, hi] into the pieces on which a piecewise-affine network's
// readout is EXACTLY affine, Phi(x) = intercept + slope * x, and thin pieces around its kinks.
//
// Why: |f - Phi|^p on a box where a ReLU changes sign is only Lipschitz, and the quadrature falls
// back to order 0 there (width O(vol r)); on a piece where every ReLU keeps its sign it is as
// smooth as f, and Phi is two exact numbers. In one variable the kinks are points that can be
// found exactly, so the adaptive refinement no longer has to discover them by bisection.
//
// Method (all in exact dyadic arithmetic; nothing rounds except where the cuts are placed):
// on a piece [a, b], every neuron the readout depends on gets its pre-activation as an exact
// affine form z(x) = c + s x, layer by layer, as long as every ReLU before it has one sign on the
// piece (relu(z) = z when z >= 0 on the piece, 0 when z <= 0; the test is exact: z(a), z(b)).
// At the first layer where some neuron changes sign strictly inside the piece, each zero
// x* = -c/s is enclosed (MPFI at `prec` bits) and the piece is cut at dyadics t_lo < x* < t_hi
// that lie within 2^-(prec/2) (b - a) of it: [a, t_lo] and [t_hi, b] are refined in turn (later
// layers' kinks), [t_lo, t_hi] becomes a kink piece. Since t_lo < x* < t_hi exactly, the neuron
// keeps its sign on both sides, and the recursion ends after at most one step per layer.
//
// Floor neurons the same way: floor(z) = k (a constant form) where z stays in [k, k + 1] on the
// piece (z may reach k + 1 at one end only: a single point), else cuts around every integer z
// crosses inside it (more than 64 of them: the piece stays a kink piece, e.g. a digit-extracting
// ramp).
//
// Applies when d = 1 and every neuron the readout depends on is ReLU, Identity or Floor (ONNX's
// LeakyRelu is imported as two ReLUs); returns nullopt otherwise, or when the partition would
// exceed its limits (callers then integrate the whole domain as before). Each piece costs one
// exact pass through the network (a product per weight, mantissas growing with the depth), so
// the limits count both the pieces and those products.

#include <optional>
#include <vector>

#include "construction/network.hpp"
#include "quadrature/dyadic.hpp"
#include "quadrature/precision.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct AffinePiece {
    Dyadic lo, hi;
    // true: Phi(x) = intercept + slope * x exactly for x in [lo, hi]. false: a kink piece (Phi is
    // only known through the network itself there; its width is tiny).
    bool affine = true;
    Dyadic intercept, slope;
};

struct AffinePieceLimits {
    long max_pieces = 200000;
    long max_products = 200000000;   // weight x form products over all passes (a few seconds)
};

// The pieces, in order, covering [lo, hi] exactly (each piece's hi is the next one's lo).
// `prec` (>= 32) decides how close the cuts come to the kinks. Polls `stop` once per piece
// (throws Stopped).
std::optional<std::vector<AffinePiece>> affine_pieces(const Network& net, int readout, const Dyadic& lo,
                                                      const Dyadic& hi, Precision prec,
                                                      const AffinePieceLimits& limits = {},
                                                      const StopToken& stop = StopToken());

}  // namespace lpcert
