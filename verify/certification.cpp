#include "verify/certification.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

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
};

// (sup |f| + B_l)^p, where B_l >= |Phi_l| on the whole cube (the interval forward pass over
// [0,1]^d, in which the extraction lemma bounds every code).
Interval sliver_height(const LevelInputs& in, int l) {
    const Network& net = in.built.network;
    IntervalForward whole(net, Precision(128));
    const Box cube = Box::unit_cube(net.d);
    const Interval phi_cube = whole.evaluate(cube.sides(), l)[static_cast<size_t>(l)];
    if (!phi_cube.is_finite()) throw std::runtime_error("readout bound is not finite");
    Real FB_value{Precision(128)};   // owned: a stop request may throw below
    mpfr_ptr FB = FB_value.raw();
    magnitude_up(FB, phi_cube);
    mpfr_add(FB, FB, in.sup_f, MPFR_RNDU);   // sup|f| + B_l
    const Interval FB_i = make_interval(FB, FB, Precision(128));
    return power_outward(FB_i, in.p, Precision(128));
}

// The margin exponent m (mu = 2^-m): 2 d N^l mu (sup|f| + B_l)^p <= target = 2^-20 tol (eta/1024)^p,
// at least 64; for sin-relu at most what keeps mu >= 1/(S N), so that every ramp is exactly 0 or 1
// on the shrunk cells (SPEC 3b). A choice, not a bound: the sliver term is computed rigorously.
long margin_exponent(const LevelInputs& in, int l, const std::string& tol, const Interval& FB_p) {
    const int N = in.built.network.N;
    const Interval tol_i = parse_decimal(tol, Precision(128), "--tol");
    Interval eta_small = in.built.values.eta.to_interval(Precision(128));
    mul_2si(eta_small, eta_small, -10);
    Interval target = power_outward(eta_small, in.p, Precision(128));
    mul(target, target, tol_i);
    mul_2si(target, target, -20);
    const long log_nl = ceil_log2_of_power(static_cast<unsigned long>(N), static_cast<unsigned long>(l));   // ceil(log2 N^l), exact
    long m = 2 + 4 + log_nl + ceil_log2_of(FB_p.upper()) - (ceil_log2_of(target.lower()) - 1);
    m = std::max(m, 64L);
    if (in.built.steepness) {
        const long cap = in.built.steepness->mantissa_bits() + in.built.steepness->exponent() - 1 +
                         floor_log2(static_cast<unsigned long>(N));   // floor(log2 S) + floor(log2 N) <= log2(S N)
        m = std::min(m, cap);
    }
    return m;
}

// c_K = the interval forward pass on every shrunk cell X_K (parallel, into indexed slots);
// returns whether every c_K is one value (a point, or sin-relu's sine up to rounding).
bool values_on_shrunk_cells(const LevelInputs& in, int l, const CellGrid& grid, const Dyadic& mu, Precision fprec,
                            std::vector<std::vector<Interval>>& params) {
    const Network& net = in.built.network;
    tbb::enumerable_thread_specific<IntervalForward> passes([&] { return IntervalForward(net, fprec); });
    std::vector<char> exact(static_cast<size_t>(grid.cells()), 1);
    std::atomic<long> done{0};
    tbb::parallel_for(tbb::blocked_range<long>(0, grid.cells(), 64), [&](const tbb::blocked_range<long>& r) {
        auto& pass = passes.local();
        for (long K = r.begin(); K != r.end(); ++K) {
            in.settings.stop.throw_if_stop_requested();
            const Box X = grid.shrunk_box(K, mu);
            const Interval& c = pass.evaluate(X.sides(), l)[static_cast<size_t>(l)];
            // one value: a point (floor-relu), or an enclosure of one value up to rounding
            // (sin-relu's sine: width <= 2^-60 max(1, |c|)); a wide enclosure would mean a ramp
            // is not flat on X_K or the construction is wrong
            exact[static_cast<size_t>(K)] = single_value(c) ? 1 : 0;
            mpfi_set(params[static_cast<size_t>(K)][0].raw(), c.raw());
        }
        const long now = done += static_cast<long>(r.size());
        if (in.settings.progress) in.settings.progress("level " + std::to_string(l) + ": network on cells", now, grid.cells());
    });
    return std::all_of(exact.begin(), exact.end(), [](char c) { return c != 0; });
}

// S = |sliver| (sup|f| + B_l)^p with |sliver| = 1 - (1 - 2 mu N^l)^d, rounded up; returned as [0, S].
Interval sliver_term(int d, int N, int l, const Dyadic& mu, const Interval& FB_p, Precision fprec) {
    Interval one(1, fprec), shrink{fprec}, vol{fprec};
    Interval twomu_nl = mu.to_interval(fprec);
    mul_2si(twomu_nl, twomu_nl, 1);
    for (int k = 0; k < l; ++k) mpfi_mul_si(twomu_nl.raw(), twomu_nl.raw(), N);
    sub(shrink, one, twomu_nl);
    pow_int(vol, shrink, d);
    sub(vol, one, vol);
    Interval S(Precision(128));
    mul(S, vol, FB_p);
    mpfr_set_zero(&S.raw()->left, 1);   // S is used as [0, S_hi]
    return S;
}

// E_l = ||f - Phi_l||_p, enclosed: I = sum_K int_{C'_K} |f - c_K|^p, E_l^p in [I_lo - S, I_hi + S].
Interval enclose_error(const LevelInputs& in, int l, const std::string& tol, LevelCertificate& out) {
    const Network& net = in.built.network;
    const int d = net.d, N = net.N;
    const Precision qprec(in.settings.quadrature_bits);

    const Interval FB_p = sliver_height(in, l);
    const long m = margin_exponent(in, l, tol, FB_p);
    out.margin_exponent = m;
    const long point_bits = m + 32;
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
    const Dyadic mu = Dyadic::power_of_two(-m);

    std::vector<std::vector<Interval>> params(static_cast<size_t>(grid.cells()), std::vector<Interval>{Interval(qprec)});
    out.exact_cell_values = values_on_shrunk_cells(in, l, grid, mu, Precision(fprec), params);

    // I = sum_K int_{C'_K} |f - c_K|^p
    const Expression g = deviation_integrand(in.f, d, in.p);
    std::vector<Piece> pieces;
    pieces.reserve(static_cast<size_t>(grid.cells()));
    for (long K = 0; K < grid.cells(); ++K) pieces.push_back(Piece{grid.cell_box(K), static_cast<int>(K)});
    IntegrationOptions opt;
    opt.stop = in.settings.stop;
    opt.relative_tolerance = tol;
    opt.taylor_order = in.settings.taylor_order >= 0 ? in.settings.taylor_order : default_taylor_order(d);
    opt.nonnegative = true;
    Interval eta_small = in.built.values.eta.to_interval(Precision(128));
    mul_2si(eta_small, eta_small, -10);
    opt.absolute_floor = decimal_down(power_outward(eta_small, in.p, Precision(128)).lower(), 6);
    opt.on_round = [&](long boxes, long) {
        if (in.settings.progress) in.settings.progress("level " + std::to_string(l) + ": quadrature", boxes, 0);
    };
    const IntegralEnclosure I = enclose_integral(g, std::move(pieces), params, opt, qprec);
    out.boxes = I.boxes;
    out.integration_status = I.status == IntegrationStatus::Converged ? "converged" : "budget_spent";

    const Interval S = sliver_term(d, N, l, mu, FB_p, Precision(fprec));
    out.sliver_term = S;
    Interval Ep(qprec);
    mpfr_sub(&Ep.raw()->left, I.value.lower(), S.upper(), MPFR_RNDD);
    mpfr_add(&Ep.raw()->right, I.value.upper(), S.upper(), MPFR_RNDU);
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
    LevelInputs in{f, p, built, settings, sup_f, result.lipschitz};

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
