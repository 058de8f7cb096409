// The sine-ReLU network of SPEC section 3b: the same cells, values, residuals and gates as the
// Floor-ReLU network, but ramps of steepness S instead of floor digits, one sin2pi decoder per
// level (angle codes), and the running readout carried by ReLU as Y = y + shift >= 0.

#include "quadrature/integer_log2.hpp"
#include "construction/builder.hpp"
#include "construction/cell_grid.hpp"
#include "construction/layer_builder.hpp"
#include "construction/level_table.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"

namespace lpcert {

using boost::multiprecision::mpz_int;
using detail::Affine;
using detail::idx;
using detail::LayerBuilder;

namespace {

struct SineLevel {
    Dyadic R;       // max |r|, or 1 when every residual is 0
    Dyadic theta;   // angle codes
};

std::vector<SineLevel> sine_tables(const CellValues& values, int d, int N, int L, int b) {
    std::vector<SineLevel> out;
    const long bits = b + 64;
    mpfr_t q, two_pi, a;
    mpfr_inits2(bits, q, two_pi, a, static_cast<mpfr_ptr>(nullptr));
    mpfr_const_pi(two_pi, MPFR_RNDN);
    mpfr_mul_2ui(two_pi, two_pi, 1, MPFR_RNDN);
    for (int l = 1; l <= L; ++l) {
        Dyadic R;
        const std::vector<Dyadic> r =
            detail::residuals(values.v[static_cast<size_t>(l)], values.v[static_cast<size_t>(l) - 1], d, N, l, R);
        if (R.is_zero()) R = Dyadic(1);
        std::vector<mpz_int> codes;
        codes.reserve(r.size());
        mpfr_t Rm;
        mpfr_init2(Rm, bits);
        R.to_mpfr(Rm, MPFR_RNDN);
        for (const auto& rk : r) {
            // alpha = (arcsin(r/R) / (2 pi)) mod 1; rounding directions are irrelevant: the verifier
            // measures the network that results, not this intent.
            rk.to_mpfr(q, MPFR_RNDN);
            mpfr_div(q, q, Rm, MPFR_RNDN);
            if (mpfr_cmp_si(q, 1) > 0) mpfr_set_si(q, 1, MPFR_RNDN);
            if (mpfr_cmp_si(q, -1) < 0) mpfr_set_si(q, -1, MPFR_RNDN);
            mpfr_asin(a, q, MPFR_RNDN);
            mpfr_div(a, a, two_pi, MPFR_RNDN);
            if (mpfr_sgn(a) < 0) mpfr_add_ui(a, a, 1, MPFR_RNDN);
            mpfr_mul_2si(a, a, b, MPFR_RNDN);
            mpz_int code;
            mpfr_get_z(code.backend().data(), a, MPFR_RNDD);
            if (code >= (mpz_int(1) << b)) code = (mpz_int(1) << b) - 1;
            if (code < 0) code = 0;
            codes.push_back(code);
        }
        mpfr_clear(Rm);
        out.push_back(SineLevel{R, pack_codes(codes, b)});
    }
    mpfr_clears(q, two_pi, a, static_cast<mpfr_ptr>(nullptr));
    return out;
}

constexpr long kRampCostBits = 10;   // the default S makes the ramps cost <= 2^-kRampCostBits eta^p

}  // namespace

Dyadic default_steepness(const CellValues& values, int d, int N, int L, mpfr_srcptr sup_f, const Exponent& p) {
    const auto tables = sine_tables(values, d, N, L, 16);   // only R_l is used here
    Dyadic B = values.v[0][0].abs();
    for (const auto& t : tables) B = B + t.R;
    const Precision prec(128);
    Interval FB = B.to_interval(prec);
    mpfr_add(&FB.raw()->right, FB.upper(), sup_f, MPFR_RNDU);
    mpfr_add(&FB.raw()->left, FB.lower(), sup_f, MPFR_RNDD);
    const Interval FBp = power_outward(FB, p, prec);
    const Interval etap = power_outward(values.eta.to_interval(prec), p, prec);
    // T = 2^10 d L (N-1) (F+B)^p / (N eta^p), rounded up: the ramps cost at most 2^-10 eta^p.
    // The factor 2^10 keeps the verifier's sliver term (the ramps' measure times |f - Phi_l|^p,
    // docs/math.md section 4) below the quadrature's width down to --tol ~ 1e-5; it costs 10 more
    // bits in the verifier's forward passes.
    mpfr_t T;
    mpfr_init2(T, 128);
    mpfr_mul_si(T, FBp.upper(), static_cast<long>(d) * L * (N - 1), MPFR_RNDU);
    mpfr_div_si(T, T, N, MPFR_RNDU);
    mpfr_div(T, T, etap.lower(), MPFR_RNDU);
    mpfr_mul_2si(T, T, kRampCostBits, MPFR_RNDU);
    const long min_exponent = 2 + ceil_log2_of_power(static_cast<unsigned long>(N), static_cast<unsigned long>(L));   // S >= 4 N^L
    long e = std::max(min_exponent, static_cast<long>(mpfr_get_exp(T)));   // 2^exp(T) > T
    mpfr_clear(T);
    return Dyadic::power_of_two(e);
}

BuiltNetwork build_sin_relu(const CellValues& values, int d, int N, int L, int b, const Dyadic& S) {
    BuiltNetwork out;
    out.construction = "sin-relu";
    out.steepness = S;
    out.values = values;
    out.digit_bits = b;
    const auto tables = sine_tables(values, d, N, L, b);
    for (const auto& t : tables) out.levels.push_back(LevelSummary{t.R, t.theta});

    Network& net = out.network;
    net.d = d;
    net.N = N;
    net.levels = L;
    detail::NetworkAssembler assembler(net, d);
    // shift[l] = |v_0| + R_1 + ... + R_l
    std::vector<Dyadic> shift{values.v[0][0].abs()};
    for (const auto& t : tables) shift.push_back(shift.back() + t.R);

    std::vector<Affine> t_in(static_cast<size_t>(d));
    for (int i = 0; i < d; ++i) t_in[static_cast<size_t>(i)] = {{idx("x", i), Dyadic(1)}};
    Affine E_in;
    Dyadic E_bias(1);
    Affine Y_in;
    Dyadic Y_bias = values.v[0][0] + shift[0];
    net.readouts.push_back(Readout{0, -1, {}, values.v[0][0]});
    auto decoder = [&](Affine& src, int level) {   // Z = sin2pi(theta_level * E)
        Affine w;
        for (const auto& [k, c] : src) w.emplace_back(k, c * tables[static_cast<size_t>(level) - 1].theta);
        return w;
    };
    const Dyadic SN = S * Dyadic(N);
    for (int l = 1; l <= L; ++l) {
        LayerBuilder A = assembler.next_layer();
        for (int i = 0; i < d; ++i) A.add(idx("t", i), Activation::ReLU, t_in[static_cast<size_t>(i)]);
        A.add("E", Activation::ReLU, E_in, E_bias);
        A.add("Y", Activation::ReLU, Y_in, Y_bias);
        if (l > 1) {
            const Dyadic& R = tables[static_cast<size_t>(l) - 2].R;
            A.add("Z", Activation::Sin2Pi, decoder(E_in, l - 1));
            assembler.push(A);
            assembler.add_readout(l - 1, {{"Y", Dyadic(1)}, {"Z", R}}, -shift[static_cast<size_t>(l) - 2]);
            Y_in = {{"Y", Dyadic(1)}, {"Z", R}};
            Y_bias = R;
        } else {
            assembler.push(A);
            Y_in = {{"Y", Dyadic(1)}};
            Y_bias = Dyadic();
        }
        // B: ramps s_ij = P_ij - M_ij = clamp(S (N t_i - j) + 1, 0, 1)
        LayerBuilder B = assembler.next_layer();
        for (int i = 0; i < d; ++i) {
            for (int j = 0; j < N; ++j) {
                B.add(idx("P", i, j), Activation::ReLU, {{idx("t", i), SN}}, Dyadic(1) - S * Dyadic(j));
                B.add(idx("M", i, j), Activation::ReLU, {{idx("t", i), SN}}, -(S * Dyadic(j)));
            }
            B.add(idx("t", i), Activation::ReLU, {{idx("t", i), Dyadic(1)}});
        }
        B.add("E", Activation::ReLU, {{"E", Dyadic(1)}});
        B.add("Y", Activation::ReLU, Y_in, Y_bias);
        assembler.push(B);
        detail::push_gate_layers(assembler, d, N, l, b, "Y", Activation::ReLU, t_in, E_in);
        E_bias = Dyadic();
        Y_in = {{"Y", Dyadic(1)}};
        Y_bias = Dyadic();
    }
    if (L >= 1) {
        LayerBuilder X = assembler.next_layer();
        X.add("Y", Activation::ReLU, Y_in, Y_bias);
        X.add("Z", Activation::Sin2Pi, decoder(E_in, L));
        assembler.push(X);
        assembler.add_readout(L, {{"Y", Dyadic(1)}, {"Z", tables[static_cast<size_t>(L) - 1].R}},
                              -shift[static_cast<size_t>(L) - 1]);
    }
    return out;
}

BuiltNetwork construct_sin_relu(const Expression& f, const ConstructionRequest& r, const Exponent& p,
                                const std::optional<Dyadic>& steepness) {
    check_build_resources(r);
    f.require_dimension(r.d);
    std::string explanation;
    const Dyadic eta = r.eta ? *r.eta : default_eta(f, r, p, explanation);
    if (eta.sign() <= 0 || eta.mantissa() != 1) throw InputError("--eta: must be a positive power of two \"1*2^E\"");
    const CellValues values = compute_cell_values(f, r, eta);
    Dyadic S;
    if (steepness) {
        S = *steepness;
        if (S.sign() <= 0) throw InputError("--steepness: must be positive");
    } else {
        mpfr_t sup;
        mpfr_init2(sup, 128);
        sup_abs_upper(sup, f, r.d, r.prec);
        S = default_steepness(values, r.d, r.N, r.levels, sup, p);
        mpfr_clear(sup);
    }
    BuiltNetwork built = build_sin_relu(values, r.d, r.N, r.levels, r.digit_bits, S);
    if (!r.eta) built.eta_source = explanation;
    return built;
}

}  // namespace lpcert
