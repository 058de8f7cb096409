#include "construction/builder.hpp"

#include <boost/multiprecision/gmp.hpp>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>

#include "construction/cell_grid.hpp"
#include "construction/cell_integrals.hpp"
#include "construction/layer_builder.hpp"
#include "construction/level_table.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/modulus.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

using boost::multiprecision::mpz_int;

// ---- resources ----------------------------------------------------------------------------------

long estimate_build_memory(int d, int N, int levels, int digit_bits) {
    // Per level: theta appears in two neurons (Q1, Q0) -> 2 b N^(dl) bits; cell values ~64 bytes;
    // the quadrature of the finest level keeps ~1.5 KiB per cell while it runs.
    long double bytes = 0;
    long double cells = 1;
    for (int l = 0; l <= levels; ++l) {
        bytes += 2.0L * digit_bits * cells / 8 + 64.0L * cells;
        if (l == levels) bytes += 1536.0L * cells;
        cells *= static_cast<long double>(N) * 1.0L;
        for (int i = 1; i < d; ++i) cells *= N;
    }
    return bytes > 9.0e18L ? std::numeric_limits<long>::max() : static_cast<long>(bytes);
}

void check_build_resources(const ConstructionRequest& r) {
    const long bytes = estimate_build_memory(r.d, r.N, r.levels, r.digit_bits);
    if (bytes > r.max_memory_bytes) {
        char msg[256];
        std::snprintf(msg, sizeof msg, "d=%d, N=%d, L=%d needs about %.3g GiB (level tables and %s cells); the limit is %.3g GiB",
                      r.d, r.N, r.levels, static_cast<double>(bytes) / (1L << 30),
                      (std::to_string(r.N) + "^" + std::to_string(r.d * r.levels)).c_str(),
                      static_cast<double>(r.max_memory_bytes) / (1L << 30));
        throw ResourceLimit(msg);
    }
}

// ---- eta and cell values ------------------------------------------------------------------------

Dyadic default_eta(const Expression& f, const ConstructionRequest& r, const Exponent& p, std::string& explanation,
                   std::optional<ModulusSearch>* search) {
    boost::multiprecision::mpq_rational delta_value;   // owned: the modulus search may throw
    mpq_ptr delta = delta_value.backend().data();
    mpz_ui_pow_ui(mpq_denref(delta), static_cast<unsigned long>(r.N), static_cast<unsigned long>(r.levels));
    mpz_set_ui(mpq_numref(delta), 1);
    ModulusOptions search_options;
    search_options.integration.stop = r.stop;
    ModulusSearch found(f, r.d, p, delta, search_options, r.modulus_prec);
    const ModulusLowerBound& lb = found.result();
    const mpfr_srcptr lower = lb.norm_at_best.lower();
    Dyadic eta = Dyadic::power_of_two(-40);
    if (mpfr_sgn(lower) <= 0) {
        explanation = "no positive lower bound of omega_f(N^-L)_p was found; eta = 2^-40";
    } else {
        // largest power of two <= 2^-10 * lower: 2^(e - 1 - 10) where lower = m 2^e, 1/2 <= m < 1
        const long e = static_cast<long>(mpfr_get_exp(lower));
        explanation = "2^-10 * LB(omega_f(N^-L)_p) with LB = " + decimal_down(lower, 12);
        eta = Dyadic::power_of_two(e - 1 - 10);
    }
    if (search) search->emplace(std::move(found));
    return eta;
}

// The averages come from one quadrature, of the finest level's cells: a level-l cell's integral
// is the sum of its N^d children's (the builder's grid points of level l are those of level l + 1
// with index kN, rounded alike, so the children partition it exactly). The goal halves with each
// level in the same proportion as the cells' volume, so the children's widths, each within its goal
// eta N^-(d(l+1)) / 3, sum to within the parent's eta N^-(dl) / 3 (up to the sums' outward
// rounding, which the width check below counts). A quarter of the boxes (the coarser levels') are
// saved in d = 2.
CellValues compute_cell_values(const Expression& f, const ConstructionRequest& r, const Dyadic& eta) {
    CellValues out;
    out.eta = eta;
    const Precision prec = r.prec;
    const int L = r.levels;
    out.v.resize(static_cast<size_t>(L) + 1);
    out.weighted_integrals.assign(static_cast<size_t>(L) + 1, Interval(prec));
    // Goal per cell of level l: integral width <= eta N^-(dl) / 3, so width(avg) <= eta/3 up to the
    // factor N^-(dl) / |C'_K| = 1 + O(2^-point_bits), and |v - avg| <= eta/2 (rounding to the eta
    // grid) + eta/6 (half the width) <= eta with room to spare.
    auto goal_of_level = [&](int l) {
        Interval goal = eta.to_interval(prec);
        mpfi_div_si(goal.raw(), goal.raw(), 3);
        for (int k = 0; k < r.d * l; ++k) mpfi_div_si(goal.raw(), goal.raw(), r.N);
        return goal;
    };

    std::vector<Interval> integrals;   // of the cells of the level being valued
    {
        const CellGrid grid(r.d, r.N, L);
        CellIntegralOptions opt;
        opt.per_cell_goal = decimal_down(goal_of_level(L).lower(), 6);
        opt.adaptive_order = default_taylor_order(r.d);
        opt.max_boxes = std::max(400000L, 8 * grid.cells());
        if (r.progress) opt.progress = [&](long done, long total) { r.progress("cell averages, level " + std::to_string(L), done, total); };
        opt.stop = r.stop;
        CellIntegrals integral = enclose_cell_integrals(f, grid, opt, prec);
        r.stop.throw_if_stop_requested();   // a network from unfinished cell values is not the one asked for
        out.quadrature_boxes += integral.boxes;
        integrals = std::move(integral.integrals);
    }

    for (int l = L; l >= 0; --l) {
        const CellGrid grid(r.d, r.N, l);
        const long cells = grid.cells();
        if (l < L) {
            // children of cell P: K = P + j N^(dl), j = 0 .. N^d - 1 (CellGrid::parent), summed in j order
            const long stride = cells;
            const long children = checked_power(r.N, r.d);
            std::vector<Interval> coarse(static_cast<size_t>(cells), Interval(prec));
            tbb::parallel_for(tbb::blocked_range<long>(0, cells, 1024), [&](const tbb::blocked_range<long>& br) {
                for (long P = br.begin(); P != br.end(); ++P)
                    for (long j = 0; j < children; ++j)
                        add(coarse[static_cast<size_t>(P)], coarse[static_cast<size_t>(P)], integrals[static_cast<size_t>(P + j * stride)]);
            });
            integrals = std::move(coarse);
        }
        const Interval goal = goal_of_level(l);
        // the cells' side lengths along an axis, b - a rounded outward as in Box::volume (the
        // volume below multiplies them in the same order: the same enclosure, without building
        // each cell's box)
        std::vector<Interval> side_lengths;
        side_lengths.reserve(static_cast<size_t>(grid.per_axis()));
        for (long k = 0; k < grid.per_axis(); ++k)
            side_lengths.push_back((grid.grid_point(k + 1) - grid.grid_point(k)).to_interval(prec));   // exact difference, rounded outward
        // v_K (parallel, into indexed slots) and, for the verifier's p = 2 shortcut, the weighted
        // sum sum_K v_K int_{C'_K} f enclosed: partial sums over fixed blocks of K, added in block
        // order (the same for any thread count)
        constexpr long kBlock = 4096;
        const long blocks = (cells + kBlock - 1) / kBlock;
        std::vector<Dyadic> values(static_cast<size_t>(cells));
        std::vector<char> above(static_cast<size_t>(cells), 0);
        std::vector<Interval> partial(static_cast<size_t>(blocks), Interval(prec));
        tbb::parallel_for(tbb::blocked_range<long>(0, blocks, 1), [&](const tbb::blocked_range<long>& br) {
            mpfr_t mid;
            mpfr_init2(mid, prec.bits);
            Interval term(prec), avg(prec), v_i(prec), volume(prec);
            for (long block = br.begin(); block != br.end(); ++block) {
                Interval& sum = partial[static_cast<size_t>(block)];
                for (long K = block * kBlock; K < std::min(cells, (block + 1) * kBlock); ++K) {
                    const Interval& integral_K = integrals[static_cast<size_t>(K)];
                    mpfr_sub(mid, integral_K.upper(), integral_K.lower(), MPFR_RNDU);
                    if (mpfr_greater_p(mid, goal.lower())) above[static_cast<size_t>(K)] = 1;
                    mpfi_set_si(volume.raw(), 1);
                    for (long k : grid.axis_indices(K)) mul(volume, volume, side_lengths[static_cast<size_t>(k)]);
                    div(avg, integral_K, volume);
                    // v = eta * round(mid(avg) / eta): |v - avg| <= eta/2 + width(avg)/2 (<= eta at the goal;
                    // a cell above the goal is counted, and the certificate measures the built network anyway)
                    midpoint(mid, avg);
                    mpfr_mul_2si(mid, mid, -eta.exponent(), MPFR_RNDN);   // eta is a power of two
                    mpz_int k;
                    mpfr_get_z(k.backend().data(), mid, MPFR_RNDN);
                    Dyadic& v = values[static_cast<size_t>(K)];
                    v = Dyadic(k, 0) * eta;
                    v_i = v.to_interval(prec);
                    mul(term, v_i, integral_K);
                    add(sum, sum, term);
                }
            }
            mpfr_clear(mid);
        });
        out.cells_above_goal += std::count(above.begin(), above.end(), 1);
        Interval& weighted = out.weighted_integrals[static_cast<size_t>(l)];
        for (const Interval& b : partial) add(weighted, weighted, b);
        out.v[static_cast<size_t>(l)] = std::move(values);
    }
    return out;
}

// ---- the layout -----------------------------------------------------------------------------------

using detail::Affine;
using detail::idx;
using detail::LayerBuilder;

BuiltNetwork build_floor_relu(const CellValues& values, int d, int N, int L, int b) {
    BuiltNetwork out;
    out.values = values;
    out.digit_bits = b;
    const Dyadic& eta = values.eta;
    const Dyadic two_b = Dyadic::power_of_two(b);

    // Level tables.
    for (int l = 1; l <= L; ++l) {
        Dyadic R;
        const std::vector<Dyadic> r =
            detail::residuals(values.v[static_cast<size_t>(l)], values.v[static_cast<size_t>(l) - 1], d, N, l, R);
        std::vector<mpz_int> codes;
        codes.reserve(r.size());
        const mpz_int limit = mpz_int(1) << b;
        for (const auto& rk : r) {
            const Dyadic q = (rk + R) * Dyadic::power_of_two(-eta.exponent());   // (r + R) / eta, an integer
            const mpz_int code = q.floor();
            if (code >= limit) {
                throw InputError("level " + std::to_string(l) + ": a residual code needs " +
                                 std::to_string(mpz_sizeinbase(code.backend().data(), 2)) +
                                 " bits but --digit-bits is " + std::to_string(b) + " (raise --digit-bits or --eta)");
            }
            codes.push_back(code);
        }
        out.levels.push_back(LevelSummary{R, pack_codes(codes, b)});
    }

    Network& net = out.network;
    net.d = d;
    net.N = N;
    net.levels = L;
    detail::NetworkAssembler net_builder(net, d);

    std::vector<Affine> t_in(static_cast<size_t>(d));
    for (int i = 0; i < d; ++i) t_in[static_cast<size_t>(i)] = {{idx("x", i), Dyadic(1)}};
    Affine E_in;
    Dyadic E_bias(1);
    Affine y_in;
    Dyadic y_bias = values.v[0][0];

    auto scaled = [](const Affine& a, const Dyadic& s) {
        Affine o;
        for (const auto& [k, w] : a) o.emplace_back(k, w * s);
        return o;
    };
    // Q1, Q0 of level l, reading E's sources; returns the affine readout y + eta q - R_l.
    auto extraction = [&](LayerBuilder& layer, int l, Affine& readout, Dyadic& readout_bias) {
        const LevelSummary& t = out.levels[static_cast<size_t>(l) - 1];
        layer.add("Q1", Activation::Floor, scaled(E_in, two_b * t.theta));
        layer.add("Q0", Activation::Floor, scaled(E_in, t.theta));
        readout = {{"y", Dyadic(1)}, {"Q1", eta}, {"Q0", -(eta * two_b)}};
        readout_bias = -t.R;
    };
    net.readouts.push_back(Readout{0, -1, {}, values.v[0][0]});

    for (int l = 1; l <= L; ++l) {
        // A: digits (and the extraction of level l-1)
        LayerBuilder A = net_builder.next_layer();
        for (int i = 0; i < d; ++i) {
            A.add(idx("D", i), Activation::Floor, scaled(t_in[static_cast<size_t>(i)], Dyadic(N)));
            A.add(idx("t", i), Activation::ReLU, t_in[static_cast<size_t>(i)]);
        }
        A.add("E", Activation::ReLU, E_in, E_bias);
        A.add("y", Activation::Identity, y_in, y_bias);
        Affine y_next{{"y", Dyadic(1)}};
        Dyadic y_next_bias;
        if (l > 1) extraction(A, l - 1, y_next, y_next_bias);
        net_builder.push(A);
        if (l > 1) net_builder.add_readout(l - 1, y_next, y_next_bias);

        // B: steps s_ij = P_ij - M_ij = 1[D_i >= j]
        LayerBuilder B = net_builder.next_layer();
        for (int i = 0; i < d; ++i) {
            for (int j = 0; j < N; ++j) {
                B.add(idx("P", i, j), Activation::ReLU, {{idx("D", i), Dyadic(1)}}, Dyadic(1 - j));
                B.add(idx("M", i, j), Activation::ReLU, {{idx("D", i), Dyadic(1)}}, Dyadic(-j));
            }
            B.add(idx("t", i), Activation::ReLU, {{idx("t", i), Dyadic(1)}});
        }
        B.add("E", Activation::ReLU, {{"E", Dyadic(1)}});
        B.add("y", Activation::Identity, y_next, y_next_bias);
        net_builder.push(B);

        // C_g: one-hot gates on coordinate g, y carried
        detail::push_gate_layers(net_builder, d, N, l, b, "y", Activation::Identity, t_in, E_in);
        E_bias = Dyadic();
        y_in = {{"y", Dyadic(1)}};
        y_bias = Dyadic();
    }
    // Final layer: extraction of level L.
    if (L >= 1) {
        LayerBuilder X = net_builder.next_layer();
        X.add("y", Activation::Identity, y_in, y_bias);
        Affine readout;
        Dyadic readout_bias;
        extraction(X, L, readout, readout_bias);
        net_builder.push(X);
        net_builder.add_readout(L, readout, readout_bias);
    }
    return out;
}

BuiltNetwork construct_floor_relu(const Expression& f, const ConstructionRequest& r, const Exponent& p) {
    check_build_resources(r);
    f.require_dimension(r.d);
    std::string explanation;
    const Dyadic eta = r.eta ? *r.eta : default_eta(f, r, p, explanation);
    if (eta.sign() <= 0 || eta.mantissa() != 1) throw InputError("--eta: must be a positive power of two \"1*2^E\"");
    const CellValues values = compute_cell_values(f, r, eta);
    BuiltNetwork built = build_floor_relu(values, r.d, r.N, r.levels, r.digit_bits);
    if (!r.eta) built.eta_source = explanation;
    return built;
}

}  // namespace lpcert
