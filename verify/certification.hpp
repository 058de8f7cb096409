#pragma once
// Certification of the theorem per level (SPEC section 5) for a BUILT network.
//
// For level l, with cells C'_K (cell_grid.hpp) and shrunk boxes X_K:
//   X_K      = C'_K without a low band of thickness mu0 and a top band of thickness t on every
//              axis (mu0 tiny, for the grid's rounding; t = mu0 for floor-relu, and for sin-relu
//              1/(S N^k) rounded up + mu0, k the coarsest level of the cell's upper end: the
//              ramps' band; the network is one value on X_K);
//   c_K      = the interval forward pass of the network on X_K (one exact value when the
//              construction is right; an interval is still used rigorously, and flagged);
//   I        = sum_K int_{C'_K} |f - c_K|^p           (rigorous adaptive quadrature; for p = 2 and
//              N a power of two first int f^2 - 2 sum_K c_K int_{C'_K} f + |C'_K| sum_K c_K^2 from
//              the builder's weighted cell integrals, kept where it meets the same goal);
//   E_l^p    = I - sum_K int_{C'_K \ X_K} |f - c_K|^p + sum_K int_{C'_K \ X_K} |f - Phi_l|^p
//            in [I_lo - A, I_hi + B], where C'_K \ X_K is cut into boxes and
//              A = sum over boxes vol * sup |f - c_K|^p,  B = sum over boxes vol * sup |f - Phi_l|^p,
//              Phi_l enclosed on each top box by the forward pass over that box (B_l, the bound
//              over the whole cube, on the bands of thickness mu0); sliver_term = [0, A + B];
//   E_l      = (E_l^p)^(1/p) rounded outward;
//   W_l      = certified lower bound of omega_f(N^-l)_p (quadrature/modulus.hpp);
//   (T) certified iff upper(E_l) <= (2d+1) W_l rounded down.
// mu0 is chosen so that the bands of thickness mu0 cost below 2^-20 tol (eta/1024)^p.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "construction/builder.hpp"
#include "construction/network.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct CertificationSettings {
    std::string tol = "1e-3";
    int taylor_order = -1;             // -1: default_taylor_order(d)
    long quadrature_bits = 128;
    int modulus_grid = 8;
    int modulus_refine_rounds = 2;
    std::optional<std::string> target_error;   // stop at the first level with upper(E) <= this
    std::optional<int> last_level;             // levels above it are not computed (not reached)
    // A modulus search already done for this f (the default eta's, at delta = N^-L): used where
    // it answers the same question (ModulusSearch::answers), searched anew otherwise.
    const ModulusSearch* known_modulus = nullptr;
    // For p = 2 and N a power of two, I = sum_K int (f - c_K)^2 from int f^2 and the builder's
    // weighted cell integrals (certification.cpp, enclose_square_deviation) where that meets the
    // goal; false: always the per-cell quadrature (tests compare both).
    bool square_shortcut = true;
    // ... from this many cells of a level on (below, the per-cell quadrature is cheap), and d <= 2
    // (in d = 3 the enclosure of int f^2 costs more than it saves: smooth_bump 100 s against 3 s)
    long square_shortcut_min_cells = 1024;
    std::function<void(const std::string&, long, long)> progress;
    StopToken stop;   // a stop ends the work: the level in progress and later ones are not reached
};

enum class LevelStatus { Certified, Inconclusive, Refuted };
const char* status_name(LevelStatus s);

struct LevelCertificate {
    int level = 0;
    long cells = 0;
    Interval error{Precision(128)};              // ||f - Phi_l||_p
    Interval omega_at_best{Precision(128)};      // ||f(.+h) - f|| at the best shift; lower end = W_l
    std::vector<Dyadic> best_shift;
    Interval bound{Precision(128)};              // [(2d+1) W_l rounded down] as a point-ish interval
    std::optional<Interval> lipschitz_bound;     // (2d+1) Lip N^-l, upper end rounded up
    LevelStatus status = LevelStatus::Inconclusive;
    bool lipschitz_holds = false;
    // diagnostics
    bool exact_cell_values = true;   // the forward pass returned one value on every shrunk cell
    long margin_exponent = 0;        // the widest margin is <= 2^-margin_exponent (mu0 for floor-relu)
    Interval sliver_term{Precision(128)};   // [0, A + B]: the width the slivers add to E_l^p
    long boxes = 0;
    std::string integration_status;
};

struct CertificationResult {
    std::vector<LevelCertificate> levels;
    std::optional<Interval> lipschitz;            // enclosure of Lip (upper end certified)
    ArchitectureFacts architecture;
    int width_bound = 0;
    int expected_depth = 0;
    bool prefix_nested = false;
    std::optional<int> target_level;              // with target_error: the level that reached it
    std::optional<std::string> stopped;           // why the work stopped early (settings.stop)
    bool all_certified() const;
};

// Certifies (T) on every level 0..L of `built` (a network with readouts Phi_0..Phi_L over the
// N-adic cells of [0,1]^d). `prefix_partner` (may be null): the network built with L-1 levels
// and the same eta and b, for the prefix claim.
CertificationResult certify_levels(const Expression& f, const Exponent& p, const BuiltNetwork& built,
                                   const Network* prefix_partner, const CertificationSettings& settings);

}  // namespace lpcert
