#pragma once
// The builder of SPEC section 3: cell values v_{l,K} (rigorous cell averages rounded to the eta
// grid), residual codes, level tables theta_l, and the layer layout A, B, C_1..C_d of every level
// plus the final extraction layer.

#include <functional>
#include <optional>
#include <vector>

#include "construction/network.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/modulus.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct ConstructionRequest {
    int d = 1, N = 2, levels = 1;
    int digit_bits = 64;                 // b
    std::optional<Dyadic> eta;           // default: SPEC section 3 (from the modulus lower bound)
    Precision prec{128};                 // working precision of the quadrature
    // working precision of the default eta's modulus search (a run sets its certification's, so
    // that one search serves both)
    Precision modulus_prec{128};
    long max_memory_bytes = 8L << 30;    // refuse larger builds (ResourceLimit, exit 3)
    std::function<void(const std::string&, long, long)> progress;   // (stage, done, total)
    StopToken stop;                      // the cell values' quadrature and the default eta's search
};

// v[l][K] for l = 0..L: multiples of eta, v = eta * round(midpoint of an enclosure of the
// average of f over C'_K). Where the enclosure is at most eta/3 wide (every cell of a smooth f),
// |v - avg| <= eta/2 + eta/6 <= eta as SPEC section 3 asks. A discontinuous f may need more quadrature boxes than
// the budget allows on the cells its jumps cross; those cells keep the midpoint of a wider
// enclosure and are counted here. The certificate never relies on |v - avg| <= eta: it measures
// the network that was built.
struct CellValues {
    Dyadic eta;
    std::vector<std::vector<Dyadic>> v;
    long cells_above_goal = 0;       // cells whose average enclosure is wider than eta/3 (budget spent)
    long quadrature_boxes = 0;
    // weighted_integrals[l] encloses sum_K v[l][K] int_{C'_K} f over the cells C'_K of
    // CellGrid(d, N, l) (point_bits 256, the builder's grid; the same cells as the verifier's when
    // N is a power of two). The verifier's p = 2 shortcut reads it (certification.hpp); empty when
    // the values did not come from compute_cell_values.
    std::vector<Interval> weighted_integrals;
};

struct LevelSummary {
    Dyadic R;          // R_l = max_K |r_{l,K}|
    Dyadic theta;      // the level table
};

struct BuiltNetwork {
    std::string construction = "floor-relu";   // or "sin-relu"
    std::optional<Dyadic> steepness;           // S of the sin-relu ramps
    Network network;
    CellValues values;
    std::vector<LevelSummary> levels;   // index l-1 for level l
    int digit_bits = 64;
    // Lower bound of omega_f(N^-L)_p used for the default eta (nullopt when eta was given).
    std::optional<std::string> eta_source;
};

// Estimated memory of a build in bytes (tables, cell values, quadrature pieces).
long estimate_build_memory(int d, int N, int levels, int digit_bits);
// Throws ResourceLimit (with the estimate) when the build would exceed the request's limit.
void check_build_resources(const ConstructionRequest& r);

// The default eta of SPEC section 3: largest power of two <= 2^-10 * LB(omega_f(N^-L)_p). The
// search for LB is kept in *search when given (a run asks the same question at level L).
Dyadic default_eta(const Expression& f, const ConstructionRequest& r, const Exponent& p, std::string& explanation,
                   std::optional<ModulusSearch>* search = nullptr);

CellValues compute_cell_values(const Expression& f, const ConstructionRequest& r, const Dyadic& eta);

// The Floor-ReLU network from given cell values (the model is exact: no rounding happens here).
// Throws InputError naming --digit-bits / --eta when a residual code does not fit in b bits.
BuiltNetwork build_floor_relu(const CellValues& values, int d, int N, int levels, int digit_bits);

// Everything: eta (given or default), cell values, the network.
BuiltNetwork construct_floor_relu(const Expression& f, const ConstructionRequest& r, const Exponent& p);

// ---- the sine-ReLU network of SPEC section 3b --------------------------------------------------

// The default steepness: the smallest power of two S >= 4 N^L with
// d L (N-1)/(N S) (sup|f| + |v_0| + sum_l R_l)^p <= 2^-10 eta^p (the ramps then cost at most
// eta, by a margin of 2^10: the verifier's sliver term, which bounds the ramps' part of the
// error, then stays below a quadrature tolerance down to about 1e-5).
Dyadic default_steepness(const CellValues& values, int d, int N, int levels, mpfr_srcptr sup_f, const Exponent& p);

// Activations ReLU and sin2pi only; angle codes floor(2^b alpha) with
// alpha = (arcsin(r/R)/(2 pi)) mod 1 computed with MPFR at b + 64 bits.
BuiltNetwork build_sin_relu(const CellValues& values, int d, int N, int levels, int digit_bits, const Dyadic& S);

BuiltNetwork construct_sin_relu(const Expression& f, const ConstructionRequest& r, const Exponent& p,
                                const std::optional<Dyadic>& steepness);

}  // namespace lpcert
