#include "verify/certification.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "construction/cell_grid.hpp"
#include "construction/forward.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/integer_log2.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/lipschitz.hpp"
#include "quadrature/modulus.hpp"
#include "quadrature/real.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

const char* status_name(LevelStatus s) {
    switch (s) {
        case LevelStatus::Certified: return "certified";
        case LevelStatus::Inconclusive: return "inconclusive";
        case LevelStatus::Refuted: return "refuted";
    }
    return "?";
}

bool CertificationResult::all_certified() const {
    if (levels.empty()) return false;
    for (const auto& l : levels)
        if (l.status != LevelStatus::Certified) return false;
    return prefix_nested && architecture.width == width_bound && architecture.depth == expected_depth;
}

namespace {

// ceil(log2(x)) for x > 0 as a long (a choice, not a bound: every bound is recomputed rigorously).
long ceil_log2_of(mpfr_srcptr x) {
    if (mpfr_sgn(x) <= 0) return -100000;
    return static_cast<long>(mpfr_get_exp(x));   // x < 2^exp
}

bool single_value(const Interval& c) {
    if (c.is_point()) return true;
    if (!c.is_finite()) return false;
    mpfr_t w, m;
    mpfr_inits2(64, w, m, static_cast<mpfr_ptr>(nullptr));
    width_up(w, c);
    magnitude_up(m, c);
    if (mpfr_cmp_si(m, 1) < 0) mpfr_set_si(m, 1, MPFR_RNDU);
    mpfr_mul_2si(m, m, -60, MPFR_RNDD);
    const bool ok = mpfr_lessequal_p(w, m) != 0;
    mpfr_clears(w, m, static_cast<mpfr_ptr>(nullptr));
    return ok;
}

struct LevelInputs {
    const Expression& f;
    const Exponent& p;
    const BuiltNetwork& built;
    const CertificationSettings& settings;
    mpfr_srcptr sup_f;
    std::optional<Interval> lipschitz;
    // int_{[0,1]^d} f^2 for the p = 2 shortcut, computed once when first needed (tightened on demand)
    std::optional<Interval>* f_squared = nullptr;
};

// The global bound of the readout: phi_cube encloses Phi_l on the whole cube (the interval
// forward pass over [0,1]^d, in which the extraction lemma bounds every code), and
// FB_p = (sup|f| + B_l)^p with B_l = |phi_cube|, rounded up.
struct GlobalBound {
    Interval phi_cube{Precision(128)};
    Interval FB_p{Precision(128)};
};

GlobalBound global_bound(const LevelInputs& in, int l) {
    const Network& net = in.built.network;
    IntervalForward whole(net, Precision(128));
    const Box cube = Box::unit_cube(net.d);
    GlobalBound out;
    out.phi_cube = whole.evaluate(cube.sides(), l)[static_cast<size_t>(l)];
    if (!out.phi_cube.is_finite()) throw std::runtime_error("readout bound is not finite");
    Real FB_value{Precision(128)};   // owned: a stop request may throw below
    mpfr_ptr FB = FB_value.raw();
    magnitude_up(FB, out.phi_cube);
    mpfr_add(FB, FB, in.sup_f, MPFR_RNDU);   // sup|f| + B_l
    const Interval FB_i = make_interval(FB, FB, Precision(128));
    out.FB_p = power_outward(FB_i, in.p, Precision(128));
    return out;
}

// The fine margin exponent m0 (mu0 = 2^-m0): 2 d N^l mu0 (sup|f| + B_l)^p <= target =
// 2^-20 tol (eta/1024)^p, at least 64. Every side of a shrunk cell keeps at least mu0 (room for
// the grid's rounding), and a sliver of thickness mu0 may be bounded with the global B_l at a
// negligible cost. A choice, not a bound: every sliver term is computed rigorously.
long fine_margin_exponent(const LevelInputs& in, int l, const std::string& tol, const Interval& FB_p) {
    const int N = in.built.network.N;
    const Interval tol_i = parse_decimal(tol, Precision(128), "--tol");
    Interval eta_small = in.built.values.eta.to_interval(Precision(128));
    mul_2si(eta_small, eta_small, -10);
    Interval target = power_outward(eta_small, in.p, Precision(128));
    mul(target, target, tol_i);
    mul_2si(target, target, -20);
    const long log_nl = ceil_log2_of_power(static_cast<unsigned long>(N), static_cast<unsigned long>(l));   // ceil(log2 N^l), exact
    const long m = 2 + 4 + log_nl + ceil_log2_of(FB_p.upper()) - (ceil_log2_of(target.lower()) - 1);
    return std::max(m, 64L);
}

// The top margins of sin-relu (SPEC 3b). Below a grid point whose coarsest level is k (k >= 1),
// the ramps of levels k..l are active on a band of width 1/(S N^k) (the finer levels' ramps lie
// inside it); above a grid point every ramp is flat (s = 1 from N t = j on). So the network is
// one value on [g + mu0, g' - t_k] with t_k = w_k + mu0, w_k = 1/(S N^k) rounded up to 8 bits
// (mu0 covers the grid's rounding of g'), and only the top band of each side carries ramps.
// top[k] for k = 1..l; top[0] (the cube's upper face, no ramp) = mu0; floor-relu: mu0 everywhere.
// Again a choice, not a bound: a wrong margin could only widen c_K (flagged), never the truth.
std::vector<Dyadic> top_margins(const LevelInputs& in, int l, const Dyadic& mu0) {
    std::vector<Dyadic> top(static_cast<size_t>(l) + 1, mu0);
    if (!in.built.steepness) return top;
    const Dyadic& S = *in.built.steepness;
    mpz_t Nk;
    mpz_init(Nk);
    mpfr_t prod, w;
    mpfr_init2(prod, std::max(64L, S.mantissa_bits() + 8));
    mpfr_init2(w, 8);
    for (int k = 1; k <= l; ++k) {
        mpz_ui_pow_ui(Nk, static_cast<unsigned long>(in.built.network.N), static_cast<unsigned long>(k));
        S.to_mpfr(prod, MPFR_RNDD);
        mpfr_mul_z(prod, prod, Nk, MPFR_RNDD);   // <= S N^k
        mpfr_ui_div(w, 1, prod, MPFR_RNDU);      // >= 1/(S N^k)
        top[static_cast<size_t>(k)] = Dyadic::from_mpfr(w) + mu0;
    }
    mpfr_clears(prod, w, static_cast<mpfr_ptr>(nullptr));
    mpz_clear(Nk);
    return top;
}

// The coarsest level k <= l at which the upper end (k_i + 1)/N^l of a cell side is a grid point
// (0 for the cube's upper face).
int coarsest_level_of_upper_end(long k_i, int N, int l) {
    long q = k_i + 1;
    int v = 0;
    while (v < l && q % N == 0) {
        q /= N;
        ++v;
    }
    return l - v;
}

// The shrunk cells and their slivers. Per axis a cell side [g, g'] splits into the low band
// [g, g + mu0], the middle [g + mu0, g' - t] and the top band [g' - t, g'] (t = the top margin
// of g', >= mu0). X_K = the product of the middles. C'_K \ X_K is the union of
//   - the boxes with at least one low band: measure <= sum_i mu0 prod_{j != i} h_j (h = g' - g);
//   - the 2^d - 1 boxes with top bands on a non-empty set T of axes and middles elsewhere
//     (disjoint up to measure zero).
struct SliverGeometry {
    Dyadic mu0;
    std::vector<Dyadic> top;   // top margin by the coarsest level of the upper end (0..l)
};

struct CellsAndSlivers {
    bool exact = true;                 // every c_K is one value
    Real A{Precision(128)};            // >= sum_K int_{C'_K \ X_K} |f - c|^p for any c in c_K
    Real B{Precision(128)};            // >= sum_K int_{C'_K \ X_K} |f - Phi_l|^p
};

// out += vol * h, rounded up (vol >= 0 exact, h an upper bound >= 0).
void add_volume_times(mpfr_ptr out, const Dyadic& vol, mpfr_srcptr h, mpfr_ptr scratch) {
    vol.to_mpfr(scratch, MPFR_RNDU);
    mpfr_mul(scratch, scratch, h, MPFR_RNDU);
    mpfr_add(out, out, scratch, MPFR_RNDU);
}

// One side of the level-l cells along an axis, by its index k_i (precomputed: there are only N^l):
// [lo, hi] = [g_k, g_(k+1)], h = hi - lo, the top margin t, the middle [mid_lo, mid_hi] =
// [lo + mu0, hi - t] and the middle as an exact Interval (a side of the shrunk box X_K).
struct AxisSide {
    Dyadic lo, hi, h, t, mid_lo, mid_hi, mid_width;
    bool ramp = false;                 // t != mu0: a ramp band on top
    Interval middle{Precision(64)};
};

// The side covering the level-l sides first .. first + span - 1 (span = N^(l-j): a side of a
// level-j cell on the level-l grid, whose ends are level-l grid points).
AxisSide axis_side(const CellGrid& grid, const SliverGeometry& geo, int N, int l, long first, long span) {
    AxisSide a;
    a.lo = grid.grid_point(first);
    a.hi = grid.grid_point(first + span);
    a.h = a.hi - a.lo;
    a.t = geo.top[static_cast<size_t>(coarsest_level_of_upper_end(first + span - 1, N, l))];
    if (!(geo.mu0 + a.t + a.t < a.h)) a.t = geo.mu0;   // a steepness too small for the cell
    a.ramp = a.t != geo.mu0;
    a.mid_lo = a.lo + geo.mu0;
    a.mid_hi = a.hi - a.t;
    a.mid_width = a.mid_hi - a.mid_lo;
    a.middle = Box::from_dyadics({a.mid_lo}, {a.mid_hi}).side(0);
    return a;
}

std::vector<AxisSide> axis_sides(const CellGrid& grid, const SliverGeometry& geo, int N, int l) {
    std::vector<AxisSide> sides(static_cast<size_t>(grid.per_axis()));
    tbb::parallel_for(tbb::blocked_range<long>(0, grid.per_axis(), 64), [&](const tbb::blocked_range<long>& r) {
        for (long ki = r.begin(); ki != r.end(); ++ki) sides[static_cast<size_t>(ki)] = axis_side(grid, geo, N, l, ki, 1);
    });
    return sides;
}

// c_K for every level-l cell K, by nested forward passes over the tree of shrunk cells: the node
// of depth j (a level-j cell) has the box prod [g + mu0, g' - t] on the level-l grid (g, g' its
// level-l grid ends, t the top margin of g'), which usually holds the boxes of its children
// (their lower ends are >= g + mu0, their upper ends <= g' - t: the last child shares g' and its
// margin), so the pass at a node evaluates only the layers of level j, from its parent's state
// (IntervalForward::evaluate_level checks the containment and otherwise makes a full pass: with a
// small sin-relu steepness a parent's top margin can exceed a child's room, or a small last child
// fall back to the margin mu0). The leaves are the X_K. Parallel over the nodes of one depth,
// each task re-evaluating its chain of ancestors: every c_K comes out of the same computation
// for any thread count.
void nested_cell_values(const Network& net, int l, const CellGrid& grid, const SliverGeometry& geo,
                        const std::vector<AxisSide>& leaves, Precision fprec, const CertificationSettings& settings,
                        std::vector<std::vector<Interval>>& params, std::vector<char>& exact) {
    const StopToken& stop = settings.stop;
    const int d = net.d, N = net.N;
    const long children = checked_power(N, d);
    // node sides by depth: middles[j][q], the side of index q of the level-j cells
    std::vector<std::vector<Interval>> middles(static_cast<size_t>(l) + 1);
    for (int j = 0; j <= l; ++j) {
        const long count = checked_power(N, j), span = checked_power(N, l - j);
        auto& m = middles[static_cast<size_t>(j)];
        m.assign(static_cast<size_t>(count), Interval(Precision(64)));
        for (long q = 0; q < count; ++q)
            m[static_cast<size_t>(q)] = j == l ? leaves[static_cast<size_t>(q)].middle : axis_side(grid, geo, N, l, q * span, span).middle;
    }
    int split = 0;   // the depth whose nodes are the parallel tasks
    while (split < l && checked_power(children, split) < 64) ++split;
    std::vector<CellGrid> coarse;   // the grids of depths 0..split: the ancestors' axis indices
    for (int j = 0; j <= split; ++j) coarse.emplace_back(d, N, j, grid.point_bits());
    tbb::enumerable_thread_specific<IntervalForward> passes([&] { return IntervalForward(net, fprec); });
    const long leaves_per_task = checked_power(children, l - split);
    std::atomic<long> done{0};
    tbb::parallel_for(tbb::blocked_range<long>(0, checked_power(children, split), 1), [&](const tbb::blocked_range<long>& r) {
        auto& pass = passes.local();
        std::vector<std::vector<Interval>> box(static_cast<size_t>(l) + 1, std::vector<Interval>(static_cast<size_t>(d), Interval(Precision(64))));
        std::vector<std::vector<long>> q(static_cast<size_t>(l) + 1, std::vector<long>(static_cast<size_t>(d), 0));
        // evaluate the node (depth j, index P, axis indices q[j]); recurse to its children
        auto visit = [&](auto&& self, int j, long P) -> void {
            const size_t jj = static_cast<size_t>(j);
            for (int i = 0; i < d; ++i) box[jj][static_cast<size_t>(i)] = middles[jj][static_cast<size_t>(q[jj][static_cast<size_t>(i)])];
            const Interval& v = pass.evaluate_level(box[jj], j, j < l);
            if (j == l) {
                Interval& c = params[static_cast<size_t>(P)][0];
                mpfi_set(c.raw(), v.raw());
                // a resumed pass can be looser than a full one (the re-centring a (m' - m) of a
                // huge slope): where c is not one value, both enclosures are intersected
                if (!single_value(c)) intersect_with(c, pass.evaluate(box[jj], l)[static_cast<size_t>(l)]);
                // one value: a point (floor-relu), or an enclosure of one value up to rounding
                // (sin-relu's sine: width <= 2^-60 max(1, |c|)); a wide enclosure would mean a
                // ramp is not flat on X_K or the construction is wrong
                exact[static_cast<size_t>(P)] = single_value(c) ? 1 : 0;
                return;
            }
            if (j >= split) {
                stop.throw_if_stop_requested();
                const long place = checked_power(children, j);
                for (long a = 0; a < children; ++a) {
                    long digits = a;
                    for (int i = 0; i < d; ++i) {
                        q[jj + 1][static_cast<size_t>(i)] = q[jj][static_cast<size_t>(i)] * N + digits % N;
                        digits /= N;
                    }
                    self(self, j + 1, P + a * place);
                }
            }
        };
        for (long P = r.begin(); P != r.end(); ++P) {
            // the chain of ancestors of the task's node: depth j's index is P mod (N^d)^j
            for (int j = 0; j <= split; ++j) {
                const long Pj = P % checked_power(children, j);
                q[static_cast<size_t>(j)] = coarse[static_cast<size_t>(j)].axis_indices(Pj);
                const std::vector<long>& qj = q[static_cast<size_t>(j)];
                if (j < split) {
                    const size_t jj = static_cast<size_t>(j);
                    for (int i = 0; i < d; ++i) box[jj][static_cast<size_t>(i)] = middles[jj][static_cast<size_t>(qj[static_cast<size_t>(i)])];
                    pass.evaluate_level(box[jj], j, true);
                } else {
                    visit(visit, j, Pj);
                }
            }
            const long now = done += leaves_per_task;
            if (settings.progress) settings.progress("level " + std::to_string(l) + ": network on cells", now, grid.cells());
        }
    });
}

// c_K = the interval forward pass on every shrunk cell X_K (nested_cell_values, into indexed
// slots), and the sliver bounds A >= sum of the A_K, B >= sum of the B_K (summed in the order of
// K: deterministic for any thread count). With `local`, on a top box with a ramp the readout is
// enclosed by the forward pass over that box (intersected with the global enclosure) and f by
// its interval extension; elsewhere (low bands, top bands without a ramp, both of thickness mu0, and every box
// without `local`) the global height bounds both: |f - Phi|^p, |f - c|^p <= (sup|f| + max(B_l, |c|))^p.
// Where the global height bounds every box of a cell, A_K = B_K = M_K height with M_K, the measure
// of the boxes, summed exactly first: M_K = low + prod_i (h_i - mu0) - prod_i (mid width_i) (the
// top boxes are the middle-or-top products minus the all-middle one), low = sum_i mu0 prod_(j != i) h_j.
CellsAndSlivers cells_and_slivers(const LevelInputs& in, int l, const CellGrid& grid, const SliverGeometry& geo,
                                  const GlobalBound& global, Precision fprec, Precision qprec, bool local,
                                  std::vector<std::vector<Interval>>& params) {
    const Network& net = in.built.network;
    const int d = net.d, N = net.N;
    const Expression g = deviation_integrand(in.f, d, in.p);
    const std::vector<AxisSide> sides = axis_sides(grid, geo, N, l);
    // the global height with B_l = |phi_cube| (the height of every cell whose |c| is not larger)
    Real cube_magnitude{Precision(128)};
    magnitude_up(cube_magnitude.raw(), global.phi_cube);
    Interval cube_height_p{Precision(128)};
    {
        Real height{Precision(128)};
        mpfr_add(height.raw(), cube_magnitude.raw(), in.sup_f, MPFR_RNDU);
        cube_height_p = power_outward(make_interval(height.raw(), height.raw(), Precision(128)), in.p, Precision(128));
    }
    tbb::enumerable_thread_specific<IntervalForward> passes([&] { return IntervalForward(net, fprec); });
    tbb::enumerable_thread_specific<IntervalEvaluator> evaluators([&] { return IntervalEvaluator(g, qprec); });
    const size_t cells = static_cast<size_t>(grid.cells());
    std::vector<char> exact(cells, 1);
    std::vector<Real> A_cell, B_cell;   // each made with its precision (no copies of a default)
    A_cell.reserve(cells);
    B_cell.reserve(cells);
    for (size_t K = 0; K < cells; ++K) {
        A_cell.emplace_back(Precision(128));
        B_cell.emplace_back(Precision(128));
    }
    nested_cell_values(net, l, grid, geo, sides, fprec, in.settings, params, exact);
    std::atomic<long> done{0};
    tbb::parallel_for(tbb::blocked_range<long>(0, grid.cells(), 64), [&](const tbb::blocked_range<long>& r) {
        auto& pass = passes.local();
        auto& eval = evaluators.local();
        Real scratch_value{Precision(128)}, height_value{Precision(128)};
        mpfr_ptr scratch = scratch_value.raw();
        mpfr_ptr height = height_value.raw();
        std::vector<long> k;
        std::vector<const AxisSide*> s(static_cast<size_t>(d));
        for (long K = r.begin(); K != r.end(); ++K) {
            in.settings.stop.throw_if_stop_requested();
            const size_t k_index = static_cast<size_t>(K);
            k = grid.axis_indices(K);
            bool ramp_here = false;
            for (int i = 0; i < d; ++i) {
                const size_t ii = static_cast<size_t>(i);
                s[ii] = &sides[static_cast<size_t>(k[ii])];
                ramp_here = ramp_here || s[ii]->ramp;
            }
            const Interval& c = params[k_index][0];

            // the global height (sup|f| + max(B_l, |c|))^p, rounded up
            magnitude_up(height, c);
            Interval height_p_own{Precision(128)};
            const Interval* height_p = &cube_height_p;
            if (mpfr_greater_p(height, cube_magnitude.raw())) {
                mpfr_add(height, height, in.sup_f, MPFR_RNDU);
                height_p_own = power_outward(make_interval(height, height, Precision(128)), in.p, Precision(128));
                height_p = &height_p_own;
            }
            mpfr_ptr A_K = A_cell[k_index].raw();
            mpfr_ptr B_K = B_cell[k_index].raw();
            // low bands
            Dyadic low_measure;
            for (int i = 0; i < d; ++i) {
                Dyadic m = geo.mu0;
                for (int j = 0; j < d; ++j)
                    if (j != i) m = m * s[static_cast<size_t>(j)]->h;
                low_measure = low_measure + m;
            }
            if (!local || !ramp_here) {
                Dyadic with_top(1), middles(1);
                for (int i = 0; i < d; ++i) {
                    with_top = with_top * (s[static_cast<size_t>(i)]->h - geo.mu0);
                    middles = middles * s[static_cast<size_t>(i)]->mid_width;
                }
                add_volume_times(A_K, low_measure + with_top - middles, height_p->upper(), scratch);
                mpfr_set(B_K, A_K, MPFR_RNDU);
                continue;
            }
            add_volume_times(A_K, low_measure, height_p->upper(), scratch);
            add_volume_times(B_K, low_measure, height_p->upper(), scratch);
            // top boxes
            for (unsigned T = 1; T < (1u << d); ++T) {
                Dyadic vol(1);
                bool ramp = false;
                std::vector<Dyadic> b_lo, b_hi;
                for (int i = 0; i < d; ++i) {
                    const AxisSide& a = *s[static_cast<size_t>(i)];
                    if (T & (1u << i)) {
                        vol = vol * a.t;
                        ramp = ramp || a.ramp;
                        b_lo.push_back(a.mid_hi);
                        b_hi.push_back(a.hi);
                    } else {
                        vol = vol * a.mid_width;
                        b_lo.push_back(a.mid_lo);
                        b_hi.push_back(a.mid_hi);
                    }
                }
                if (!ramp) {
                    add_volume_times(A_K, vol, height_p->upper(), scratch);
                    add_volume_times(B_K, vol, height_p->upper(), scratch);
                    continue;
                }
                const Box top = Box::from_dyadics(b_lo, b_hi);
                const std::vector<Interval> with_c{c};
                add_volume_times(A_K, vol, eval.evaluate(top.sides(), with_c).upper(), scratch);
                Interval phi = pass.evaluate(top.sides(), l)[static_cast<size_t>(l)];
                intersect_with(phi, global.phi_cube);   // both enclose Phi_l on the box
                const std::vector<Interval> with_phi{phi};
                add_volume_times(B_K, vol, eval.evaluate(top.sides(), with_phi).upper(), scratch);
            }
        }
        const long now = done += static_cast<long>(r.size());
        if (in.settings.progress) in.settings.progress("level " + std::to_string(l) + ": slivers", now, grid.cells());
    });
    CellsAndSlivers out;
    out.exact = std::all_of(exact.begin(), exact.end(), [](char e) { return e != 0; });
    for (size_t K = 0; K < cells; ++K) {
        mpfr_add(out.A.raw(), out.A.raw(), A_cell[K].raw(), MPFR_RNDU);
        mpfr_add(out.B.raw(), out.B.raw(), B_cell[K].raw(), MPFR_RNDU);
    }
    return out;
}

// The p = 2 shortcut for I = sum_K int_{C'_K} (f - c_K)^2. With F2 = int_{[0,1]^d} f^2, the
// builder's S1 = sum_K v_K int_{C'_K} f (CellValues::weighted_integrals, the same cells when N is
// a power of two) and vol = |C'_K| = N^-(dl):
//     I = F2 - 2 sum_K c_K int_{C'_K} f + vol sum_K c_K^2,
//     sum_K c_K int_{C'_K} f = S1 + sum_K (c_K - v_K) int_{C'_K} f  in  S1 + [-D, D],
//     D = max_K |c_K - v_K| * sup|f|   (sum_K |int_{C'_K} f| <= sup|f| |[0,1]^d| = sup|f|),
// every term enclosed outward (c_K an interval: the identity holds for each value in it). It costs
// O(1) per cell against a Taylor enclosure per cell, and is used only where its width meets the
// quadrature's goal, width <= tol * max(lower(I), floor); otherwise (or for p != 2, N not a power
// of two, values without weighted sums) the quadrature runs as before. Deterministic: the cell
// sums are taken over fixed blocks of K, added in block order.
bool enclose_square_deviation(const LevelInputs& in, int l, const CellGrid& grid,
                              const std::vector<std::vector<Interval>>& params, const Interval& tol_i,
                              const Interval& floor_i, Precision qprec, Interval& I) {
    const Network& net = in.built.network;
    const int d = net.d, N = net.N;
    const auto& sums = in.built.values.weighted_integrals;
    if (!in.settings.square_shortcut || !(in.p.is_integer() && in.p.numerator() == 2) || (N & (N - 1)) != 0 || sums.size() <= static_cast<size_t>(l) ||
        in.f_squared == nullptr || in.built.values.v.size() <= static_cast<size_t>(l))
        return false;
    // worth it only where the per-cell quadrature is costly and int f^2 cheap: many cells, d <= 2
    // (smooth_bump d = 3: the 1e-9 enclosure of int f^2 alone took 100 s against 3 s for the cells)
    if (d > 2 || grid.cells() < in.settings.square_shortcut_min_cells) return false;
    const std::vector<Dyadic>& v = in.built.values.v[static_cast<size_t>(l)];
    const long cells = grid.cells();
    if (static_cast<long>(v.size()) != cells) return false;
    constexpr long kBlock = 4096;
    const long blocks = (cells + kBlock - 1) / kBlock;
    std::vector<Interval> square_sums(static_cast<size_t>(blocks), Interval(qprec));
    std::vector<Real> deviation_max;
    deviation_max.reserve(static_cast<size_t>(blocks));
    for (long b = 0; b < blocks; ++b) deviation_max.emplace_back(qprec);
    tbb::parallel_for(tbb::blocked_range<long>(0, blocks, 1), [&](const tbb::blocked_range<long>& br) {
        Interval sq(qprec), v_i(qprec), diff(qprec);
        Real m(qprec);
        for (long b = br.begin(); b != br.end(); ++b) {
            Interval& sum = square_sums[static_cast<size_t>(b)];
            mpfr_ptr dmax = deviation_max[static_cast<size_t>(b)].raw();
            for (long K = b * kBlock; K < std::min(cells, (b + 1) * kBlock); ++K) {
                const Interval& c = params[static_cast<size_t>(K)][0];
                mpfi_sqr(sq.raw(), c.raw());
                add(sum, sum, sq);
                v_i = v[static_cast<size_t>(K)].to_interval(qprec);
                sub(diff, c, v_i);
                magnitude_up(m.raw(), diff);
                mpfr_max(dmax, dmax, m.raw(), MPFR_RNDU);
            }
        }
    });
    Interval square_sum(qprec);
    Real D(qprec);
    for (long b = 0; b < blocks; ++b) {
        add(square_sum, square_sum, square_sums[static_cast<size_t>(b)]);
        mpfr_max(D.raw(), D.raw(), deviation_max[static_cast<size_t>(b)].raw(), MPFR_RNDU);
    }
    mpfr_mul(D.raw(), D.raw(), in.sup_f, MPFR_RNDU);
    // vol sum c^2 - 2 (S1 + [-D, D]): everything but F2
    const Dyadic vol = Dyadic::power_of_two(-static_cast<long>(d) * l * ceil_log2(static_cast<unsigned long>(N)));
    Interval rest(qprec), cross(qprec);
    mul(rest, square_sum, vol.to_interval(qprec));
    mpfi_set(cross.raw(), sums[static_cast<size_t>(l)].raw());
    mpfr_sub(&cross.raw()->left, &cross.raw()->left, D.raw(), MPFR_RNDD);
    mpfr_add(&cross.raw()->right, &cross.raw()->right, D.raw(), MPFR_RNDU);
    mul_2si(cross, cross, 1);
    sub(rest, rest, cross);

    // I = F2 + rest; F2 tightened until its width leaves room for the goal (or given up)
    const Expression g = deviation_integrand(in.f, d, in.p);   // (f - c)^2 with c = 0
    const std::vector<std::vector<Interval>> zero{{Interval(qprec)}};
    Real goal(Precision(64)), room(Precision(64)), w(Precision(64));
    auto goal_of = [&](const Interval& value) {
        mpfr_max(goal.raw(), value.lower(), floor_i.lower(), MPFR_RNDD);
        if (mpfr_sgn(goal.raw()) < 0) mpfr_set_zero(goal.raw(), 1);
        mpfr_mul(goal.raw(), goal.raw(), tol_i.lower(), MPFR_RNDD);
    };
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::string relative = "1e-9";
        if (*in.f_squared) {
            add(I, **in.f_squared, rest);
            if (mpfr_sgn(I.lower()) < 0) mpfr_set_zero(&I.raw()->left, 1);   // I >= 0
            goal_of(I);
            width_up(w.raw(), I);
            if (mpfr_lessequal_p(w.raw(), goal.raw())) return true;
            // F2 must leave at least half of the goal to the rest
            width_up(w.raw(), rest);
            mpfr_div_2ui(room.raw(), goal.raw(), 1, MPFR_RNDD);
            if (!mpfr_greater_p(room.raw(), w.raw()) || attempt == 2) return false;
            mpfr_div(room.raw(), room.raw(), (*in.f_squared)->upper(), MPFR_RNDD);   // relative to F2
            if (mpfr_sgn(room.raw()) <= 0 || mpfr_get_exp(room.raw()) < -46) return false;   // below 2^-47: too costly
            relative = decimal_down(room.raw(), 3);
        }
        IntegrationOptions opt;
        opt.stop = in.settings.stop;
        opt.relative_tolerance = relative;
        opt.taylor_order = in.settings.taylor_order >= 0 ? in.settings.taylor_order : default_taylor_order(d);
        opt.nonnegative = true;
        opt.max_boxes = 400000;
        const IntegralEnclosure F2 = enclose_integral(g, {Piece{Box::unit_cube(d), 0}}, zero, opt, qprec);
        in.settings.stop.throw_if_stop_requested();
        if (*in.f_squared) {
            width_up(w.raw(), F2.value);
            width_up(room.raw(), **in.f_squared);
            if (!mpfr_less_p(w.raw(), room.raw())) return false;   // no progress (budget spent)
        }
        *in.f_squared = F2.value;
    }
    return false;
}

// E_l = ||f - Phi_l||_p, enclosed. With I = sum_K int_{C'_K} |f - c_K|^p (rigorous quadrature),
// E_l^p = I - sum_K int_{C'_K \ X_K} |f - c_K|^p + sum_K int_{C'_K \ X_K} |f - Phi_l|^p lies in
// [I_lo - A, I_hi + B] (cells_and_slivers; docs/math.md, "The sliver term").
Interval enclose_error(const LevelInputs& in, int l, const std::string& tol, LevelCertificate& out) {
    const Network& net = in.built.network;
    const int d = net.d, N = net.N;
    const Precision qprec(in.settings.quadrature_bits);

    const GlobalBound global = global_bound(in, l);
    const long m0 = fine_margin_exponent(in, l, tol, global.FB_p);
    SliverGeometry geo;
    geo.mu0 = Dyadic::power_of_two(-m0);
    geo.top = top_margins(in, l, geo.mu0);
    // the diagnostic "margin" 2^-margin_exponent: mu0, or for sin-relu the power of two >= the
    // widest top margin
    out.margin_exponent = m0;
    for (const Dyadic& t : geo.top) {
        const long bits = t.mantissa_bits();   // t = M 2^E, M odd: t <= 2^E if M = 1, else t < 2^(E + bits)
        out.margin_exponent = std::min(out.margin_exponent, -(t.exponent() + (bits > 1 ? bits : 0)));
    }
    const long point_bits = m0 + 32;
    // The ramps' pre-activations S N t - S j + 1 carry the point's bits shifted up by log2(S N):
    // without room for them the rounded centres make P - M differ from 1 and the decoder's E
    // (a product of gates) inexact, and the readout becomes the whole range of the sine.
    long ramp_bits = 0;
    if (in.built.steepness)
        ramp_bits = std::max(0L, in.built.steepness->mantissa_bits() + in.built.steepness->exponent()) +
                    ceil_log2(static_cast<unsigned long>(N));
    const long log_nl = ceil_log2_of_power(static_cast<unsigned long>(N), static_cast<unsigned long>(l));
    const long fprec = point_bits + log_nl + ramp_bits + 64;
    const CellGrid grid(d, N, l, point_bits);
    out.cells = grid.cells();

    std::vector<std::vector<Interval>> params(static_cast<size_t>(grid.cells()), std::vector<Interval>{Interval(qprec)});
    CellsAndSlivers slivers = cells_and_slivers(in, l, grid, geo, global, Precision(fprec), qprec, false, params);
    out.exact_cell_values = slivers.exact;

    // I = sum_K int_{C'_K} |f - c_K|^p
    const Interval tol_i = parse_decimal(tol, Precision(128), "--tol");
    Interval eta_small = in.built.values.eta.to_interval(Precision(128));
    mul_2si(eta_small, eta_small, -10);
    const std::string floor_text = decimal_down(power_outward(eta_small, in.p, Precision(128)).lower(), 6);
    Interval I_value(qprec);
    if (enclose_square_deviation(in, l, grid, params, tol_i, parse_decimal(floor_text, qprec, "floor"), qprec, I_value)) {
        out.boxes = 0;
        out.integration_status = "converged";
    } else {
        const Expression g = deviation_integrand(in.f, d, in.p);
        // the cells' boxes, made in parallel into indexed slots
        std::vector<Piece> pieces(static_cast<size_t>(grid.cells()));
        tbb::parallel_for(tbb::blocked_range<long>(0, grid.cells(), 256), [&](const tbb::blocked_range<long>& r) {
            for (long K = r.begin(); K != r.end(); ++K) pieces[static_cast<size_t>(K)] = Piece{grid.cell_box(K), static_cast<int>(K)};
        });
        IntegrationOptions opt;
        opt.stop = in.settings.stop;
        opt.relative_tolerance = tol;
        opt.taylor_order = in.settings.taylor_order >= 0 ? in.settings.taylor_order : default_taylor_order(d);
        opt.nonnegative = true;
        opt.absolute_floor = floor_text;
        opt.on_round = [&](long boxes, long) {
            if (in.settings.progress) in.settings.progress("level " + std::to_string(l) + ": quadrature", boxes, 0);
        };
        const IntegralEnclosure I = enclose_integral(g, std::move(pieces), params, opt, qprec);
        out.boxes = I.boxes;
        out.integration_status = I.status == IntegrationStatus::Converged ? "converged" : "budget_spent";
        I_value = I.value;
    }

    // The global height over the thin bands costs nothing; when A + B exceeds tol/16 of I_lo
    // (a steepness given small, or a tight --tol), the bands with ramps are bounded again box by
    // box with forward passes (2^d - 1 per cell; the c_K are recomputed identically). A choice on
    // rigorous numbers, the same for any thread count.
    {
        Real sum_value{Precision(128)}, goal_value{Precision(128)};
        mpfr_add(sum_value.raw(), slivers.A.raw(), slivers.B.raw(), MPFR_RNDU);
        mpfr_mul(goal_value.raw(), I_value.lower(), tol_i.lower(), MPFR_RNDD);
        mpfr_mul_2si(goal_value.raw(), goal_value.raw(), -4, MPFR_RNDD);
        if (mpfr_greater_p(sum_value.raw(), goal_value.raw()) && in.built.steepness) {
            slivers = cells_and_slivers(in, l, grid, geo, global, Precision(fprec), qprec, true, params);
            out.exact_cell_values = slivers.exact;
        }
    }
    // sliver_term = [0, A + B]: the width the slivers add to the enclosure of E_l^p
    Interval S(Precision(128));
    mpfr_set_zero(&S.raw()->left, 1);
    mpfr_add(&S.raw()->right, slivers.A.raw(), slivers.B.raw(), MPFR_RNDU);
    out.sliver_term = S;
    Interval Ep(qprec);
    mpfr_sub(&Ep.raw()->left, I_value.lower(), slivers.A.raw(), MPFR_RNDD);
    mpfr_add(&Ep.raw()->right, I_value.upper(), slivers.B.raw(), MPFR_RNDU);
    if (mpfr_sgn(Ep.lower()) < 0) mpfr_set_zero(&Ep.raw()->left, 1);
    return root_outward(Ep, in.p, qprec);
}

void decide(LevelCertificate& lc, const LevelInputs& in, int l) {
    const int d = in.built.network.d;
    // bound = (2d+1) W_l, rounded down, with W_l taken as its printed decimal (rounded down):
    // the certificate's numbers then satisfy bound <= (2d+1) omega_lower as written.
    const Interval printed = parse_decimal(decimal_down(lc.omega_at_best.lower()), Precision(256), "omega_lower");
    Interval bound{Precision(128)};
    mpfr_mul_si(&bound.raw()->left, printed.lower(), 2 * d + 1, MPFR_RNDD);
    mpfr_set(&bound.raw()->right, &bound.raw()->left, MPFR_RNDU);
    lc.bound = bound;
    const bool certified = mpfr_lessequal_p(lc.error.upper(), bound.lower()) != 0;
    lc.status = certified ? LevelStatus::Certified : LevelStatus::Inconclusive;
    if (in.lipschitz) {
        // (2d+1) Lip N^-l, rounded up; also an upper bound of (2d+1) omega_f(N^-l)_p
        Interval lb = *in.lipschitz;
        mpfi_mul_si(lb.raw(), lb.raw(), 2 * d + 1);
        for (int k = 0; k < l; ++k) mpfi_div_si(lb.raw(), lb.raw(), in.built.network.N);
        lc.lipschitz_bound = lb;
        lc.lipschitz_holds = mpfr_lessequal_p(lc.error.upper(), lb.upper()) != 0;
        // The theorem would be false: the error exceeds (2d+1) omega <= (2d+1) Lip N^-l.
        if (!certified && mpfr_greater_p(lc.error.lower(), lb.upper())) lc.status = LevelStatus::Refuted;
    }
}

// One level: the error enclosure, the modulus lower bound, the decision, and one tightening
// round when undecided. Throws Stopped when a stop is requested.
void certify_level(const LevelInputs& in, int l, LevelCertificate& lc) {
    const CertificationSettings& settings = in.settings;
    const int d = in.built.network.d, N = in.built.network.N;
    const Precision qprec(settings.quadrature_bits);
    lc.error = enclose_error(in, l, settings.tol, lc);
    in.settings.stop.throw_if_stop_requested();   // a stopped quadrature is an enclosure, but the level is unfinished
    boost::multiprecision::mpq_rational delta_value(1);   // owned: the searches below may throw
    mpq_ptr delta = delta_value.backend().data();
    for (int k = 0; k < l; ++k) mpz_mul_ui(mpq_denref(delta), mpq_denref(delta), static_cast<unsigned long>(N));
    ModulusOptions mo;
    mo.grid = settings.modulus_grid;
    mo.refine_rounds = settings.modulus_refine_rounds;
    mo.integration.stop = settings.stop;
    mo.integration.taylor_order = settings.taylor_order >= 0 ? settings.taylor_order : default_taylor_order(d);
    {
        ModulusLowerBound w = certify_modulus_lower_bound(in.f, d, in.p, delta, mo, qprec, settings.known_modulus);
        lc.omega_at_best = w.norm_at_best;
        lc.best_shift = w.best_shift;
        decide(lc, in, l);
        if (lc.status == LevelStatus::Inconclusive) {
            // Tighten once: a tenth of the tolerance, twice the shifts, more refinement.
            Interval tighter = parse_decimal(settings.tol, Precision(64), "--tol");
            mpfi_div_si(tighter.raw(), tighter.raw(), 10);
            lc.error = enclose_error(in, l, decimal_down(tighter.lower(), 6), lc);
            in.settings.stop.throw_if_stop_requested();
            mo.grid = 2 * settings.modulus_grid;
            mo.refine_rounds = settings.modulus_refine_rounds + 3;
            mo.integration.relative_tolerance = "1e-3";
            w = certify_modulus_lower_bound(in.f, d, in.p, delta, mo, qprec);
            if (mpfr_greater_p(w.norm_at_best.lower(), lc.omega_at_best.lower())) {
                lc.omega_at_best = w.norm_at_best;
                lc.best_shift = w.best_shift;
            }
            decide(lc, in, l);
        }
        in.settings.stop.throw_if_stop_requested();
    }
}

}  // namespace

CertificationResult certify_levels(const Expression& f, const Exponent& p, const BuiltNetwork& built,
                                   const Network* prefix_partner, const CertificationSettings& settings) {
    const Network& net = built.network;
    const int d = net.d, N = net.N, L = net.levels;
    CertificationResult result;
    result.architecture = measure_architecture(net);
    result.width_bound = 2 * d * N + d + 2;
    result.expected_depth = L * (d + 2) + 1;
    result.prefix_nested = prefix_partner == nullptr
                               ? L == 0
                               : shares_prefix(*prefix_partner, net, (L - 1) * (d + 2), L - 1);

    const Precision qprec(settings.quadrature_bits);
    Real sup_value{Precision(128)};   // owned: f undefined on the cube throws DomainError below
    mpfr_ptr sup_f = sup_value.raw();
    // A stop request (settings.stop) ends the work where it is: the level in progress and the
    // later ones are recorded as not reached (inconclusive), and the result says why.
    auto not_reached = [&](int l) {
        LevelCertificate lc;
        lc.level = l;
        lc.cells = checked_power(N, static_cast<long>(d) * l);
        lc.integration_status = "not_reached";
        return lc;
    };
    int first_level = 0;
    try {
        sup_abs_upper(sup_f, f, d, qprec);
        if (auto lip = bound_lipschitz_constant(f, d, "1e-2", 20000, qprec, settings.stop)) result.lipschitz = lip->bound;
    } catch (const Stopped& s) {
        result.stopped = s.what();
        first_level = L + 1;
        for (int l = 0; l <= L; ++l) result.levels.push_back(not_reached(l));
    }
    std::optional<Interval> f_squared;
    LevelInputs in{f, p, built, settings, sup_f, result.lipschitz, &f_squared};

    for (int l = first_level; l <= L; ++l) {
        if (result.stopped || (settings.last_level && l > *settings.last_level)) {
            result.levels.push_back(not_reached(l));
            continue;
        }
        LevelCertificate lc;
        lc.level = l;
        try {
            certify_level(in, l, lc);
        } catch (const Stopped& s) {
            result.stopped = s.what();
            result.levels.push_back(not_reached(l));
            continue;
        }
        result.levels.push_back(std::move(lc));
        if (settings.target_error) {
            const Interval eps = parse_decimal(*settings.target_error, Precision(128), "--target-error");
            if (mpfr_lessequal_p(result.levels.back().error.upper(), eps.lower())) {
                result.target_level = l;
                break;
            }
        }
    }
    return result;
}

}  // namespace lpcert
