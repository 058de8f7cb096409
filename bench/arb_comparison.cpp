// 1-D rigorous quadrature, lpcert against Arb (issue 17): the same integrals on [0, 1], one
// thread, the same relative width goal, side by side in one run. Not a test: nothing is asserted
// except that both enclosures overlap (a disjoint pair would mean one of them is wrong).
//
// lpcert: enclose_integral on the parsed expression, the signed integral int_0^1 f (what
// `verify integrate --signed --p 1` computes), goal width(enclosure) <= tol * lower(enclosure):
// Gauss-Legendre with its bound where the integrand continues holomorphically (gauss_legendre.hpp),
// else the Taylor forms at the default order for d = 1; a second table runs the Taylor forms alone
// by order.
// Arb: acb_calc_integrate with rel_goal = ceil(log2(1/tol)) + 1 bits and abs_tol = 2^-(rel_goal + 6)
// (Arb's goal is a radius, max(abs_tol, |I| 2^-rel_goal); the width is twice it); when the
// width it returns is still above tol * |lower|, the goal is raised two bits at a time (the
// calibration is done once, before timing, and the goal used is printed). Arb needs an
// integrand that is holomorphic on a neighbourhood of each piece: |sin(3 pi x)|^3 uses
// acb_real_abs with the `analytic` flag (Arb's documented way: it returns an indeterminate
// value when the real part of the ball reaches 0, and Arb bisects there).
//
// Timing: each side is run repeatedly (at least 5 times, more for short runs, until about a
// second has passed, at most 101 times) and the median CPU time of the process is reported (one
// thread: on an idle machine it is the wall time; on the shared cores it ignores other jobs).
//
// Usage: arb_comparison [precision bits ...]  (default: 128 64)

#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/interval.hpp"

// Arb 2.23 (Debian's libflint-arb-dev) after the lpcert headers: both include mpfr.h.
#include <acb.h>
#include <acb_calc.h>
#include <arb.h>

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// The median CPU time of the process (one thread: the wall time on an idle machine, but robust
// to other jobs on the shared cores).
double median_seconds(const std::function<void()>& run) {
    std::vector<double> t;
    const auto start = Clock::now();
    while (t.size() < 5 || (std::chrono::duration<double>(Clock::now() - start).count() < 1.0 && t.size() < 101)) {
        const double c0 = cpu_seconds();
        run();
        t.push_back(cpu_seconds() - c0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

// ---- Arb integrands: f(z) for a complex ball z; order 1 asks for a holomorphy check --------

int arb_sin20_sq(acb_ptr res, const acb_t z, void* evaluations, slong order, slong prec) {
    if (order > 1) flint_abort();
    ++*static_cast<long*>(evaluations);
    acb_t c;
    acb_init(c);
    acb_mul_ui(res, z, 20, prec);
    acb_sin(res, res, prec);
    acb_set_ui(c, 3);
    acb_div_ui(c, c, 10, prec);   // 0.3 enclosed
    acb_sub(res, res, c, prec);
    acb_sqr(res, res, prec);
    acb_clear(c);
    return 0;
}

int arb_abs_sin_cubed(acb_ptr res, const acb_t z, void* evaluations, slong order, slong prec) {
    if (order > 1) flint_abort();
    ++*static_cast<long*>(evaluations);
    acb_t t;
    acb_init(t);
    acb_const_pi(t, prec);
    acb_mul(t, t, z, prec);
    acb_mul_ui(t, t, 3, prec);
    acb_sin(t, t, prec);
    acb_real_abs(t, t, order != 0, prec);   // analytic when order != 0: indeterminate near Re = 0
    acb_pow_ui(res, t, 3, prec);
    acb_clear(t);
    return 0;
}

int arb_exp_cos7(acb_ptr res, const acb_t z, void* evaluations, slong order, slong prec) {
    if (order > 1) flint_abort();
    ++*static_cast<long*>(evaluations);
    acb_t e;
    acb_init(e);
    acb_neg(e, z);
    acb_exp(e, e, prec);
    acb_mul_ui(res, z, 7, prec);
    acb_cos(res, res, prec);
    acb_mul(res, res, e, prec);
    acb_clear(e);
    return 0;
}

struct Case {
    const char* label;
    const char* expression;   // lpcert syntax
    acb_calc_func_t arb_f;
    const char* tol;
};

struct LpcertRun {
    long boxes = 0;
    double seconds = 0;
    double rel_width = 0;
    std::string enclosure;
    const char* status = "";
    lpcert::Interval value{lpcert::Precision(64)};
};

double rel_width_of(const lpcert::Interval& v) {
    mpfr_t w, m;
    mpfr_inits2(64, w, m, static_cast<mpfr_ptr>(nullptr));
    lpcert::width_up(w, v);
    lpcert::mignitude_down(m, v);
    const double r = mpfr_get_d(w, MPFR_RNDU) / mpfr_get_d(m, MPFR_RNDD);
    mpfr_clears(w, m, static_cast<mpfr_ptr>(nullptr));
    return r;
}

// order -1: the default order for d = 1 (what `verify integrate` uses).
LpcertRun run_lpcert(const Case& c, long bits, int order = -1, bool gauss_legendre = true) {
    const lpcert::Expression f = lpcert::Expression::parse(c.expression);
    lpcert::IntegrationOptions opt;
    opt.relative_tolerance = c.tol;
    opt.taylor_order = order >= 0 ? order : lpcert::single_domain_taylor_order(1);
    opt.gauss_legendre = gauss_legendre;
    const lpcert::Precision prec(bits);
    LpcertRun out;
    std::optional<lpcert::IntegralEnclosure> r;
    out.seconds = median_seconds([&] {
        r = lpcert::enclose_integral(f, {lpcert::Piece{lpcert::Box::unit_cube(1), 0}}, {}, opt, prec);
    });
    out.boxes = r->boxes;
    out.rel_width = rel_width_of(r->value);
    out.enclosure = lpcert::to_string(r->value, 18);
    out.value = r->value;
    out.status = r->status == lpcert::IntegrationStatus::Converged ? "converged" : "NOT converged";
    return out;
}

struct ArbRun {
    double seconds = 0;
    double rel_width = 0;
    slong goal_bits = 0;
    long evaluations = 0;
    std::string enclosure;
    int status = 0;
    bool overlaps_lpcert = true;
};

// Returns the number of integrand evaluations.
long arb_integrate(acb_t res, const Case& c, slong goal, slong prec) {
    long evaluations = 0;
    acb_t a, b;
    mag_t abs_tol;
    acb_init(a);
    acb_init(b);
    mag_init(abs_tol);
    acb_zero(a);
    acb_one(b);
    mag_set_ui_2exp_si(abs_tol, 1, -(goal + 6));
    acb_calc_integrate(res, c.arb_f, &evaluations, a, b, goal, abs_tol, nullptr, prec);
    mag_clear(abs_tol);
    acb_clear(a);
    acb_clear(b);
    return evaluations;
}

double arb_rel_width(const acb_t r) {
    // Real part: width 2 rad over min |x| (lower bound); the imaginary part is checked separately.
    arb_t lo;
    arb_init(lo);
    arb_abs(lo, acb_realref(r));
    arf_t m, w;
    arf_init(m);
    arf_init(w);
    arb_get_lbound_arf(m, lo, 64);
    arf_set_mag(w, arb_radref(acb_realref(r)));
    arf_mul_2exp_si(w, w, 1);
    const double rel = arf_get_d(w, ARF_RND_UP) / arf_get_d(m, ARF_RND_DOWN);
    arf_clear(m);
    arf_clear(w);
    arb_clear(lo);
    return rel;
}

ArbRun run_arb(const Case& c, long bits, const lpcert::Interval& lpcert_value) {
    ArbRun out;
    const double tol = std::strtod(c.tol, nullptr);
    acb_t res;
    acb_init(res);
    out.goal_bits = static_cast<slong>(std::ceil(std::log2(1.0 / tol))) + 1;
    for (;;) {   // calibration: the smallest goal (in steps of 2 bits) that reaches the width
        out.evaluations = arb_integrate(res, c, out.goal_bits, bits);
        if (arb_rel_width(res) <= tol || out.goal_bits > bits) break;
        out.goal_bits += 2;
    }
    out.seconds = median_seconds([&] { arb_integrate(res, c, out.goal_bits, bits); });
    out.rel_width = arb_rel_width(res);
    char* s = arb_get_str(acb_realref(res), 18, 0);
    out.enclosure = s;
    flint_free(s);
    if (!arb_contains_zero(acb_imagref(res))) out.status = 1;   // the integral is real
    // Overlap with lpcert's enclosure: Arb's real part as an MPFI interval at the same precision.
    arf_t lo, hi;
    arf_init(lo);
    arf_init(hi);
    arb_get_lbound_arf(lo, acb_realref(res), bits);
    arb_get_ubound_arf(hi, acb_realref(res), bits);
    mpfr_t l, h;
    mpfr_init2(l, bits);
    mpfr_init2(h, bits);
    arf_get_mpfr(l, lo, MPFR_RNDD);
    arf_get_mpfr(h, hi, MPFR_RNDU);
    const lpcert::Interval arb_value = lpcert::make_interval(l, h, lpcert::Precision(bits));
    out.overlaps_lpcert = lpcert::overlaps(arb_value, lpcert_value);
    mpfr_clear(l);
    mpfr_clear(h);
    arf_clear(lo);
    arf_clear(hi);
    acb_clear(res);
    return out;
}

// lpcert's cost of one box (one call of the kernel BoxIntegrator::enclose) on [0.25, 0.25 + 2^-8]:
// the Taylor form (order 6) and the natural interval extension (order 0).
double seconds_per_box(const char* expression, int order, long bits) {
    const lpcert::Expression f = lpcert::Expression::parse(expression);
    const lpcert::Precision prec(bits);
    lpcert::BoxIntegrator integrator(f, 1, order, false, prec);
    const lpcert::Box box({lpcert::hull(lpcert::parse_decimal("0.25", prec), lpcert::parse_decimal("0.25390625", prec))});
    lpcert::Interval out(prec);
    const int n = 500;
    const double s = median_seconds([&] {
        for (int i = 0; i < n; ++i) integrator.enclose(out, box, {});
    });
    return s / n;
}

}  // namespace

int main(int argc, char** argv) {
    // One thread on both sides (Arb's integration is serial).
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    std::vector<long> precisions;
    for (int i = 1; i < argc; ++i) precisions.push_back(std::atol(argv[i]));
    if (precisions.empty()) precisions = {128, 64};

    const std::vector<Case> cases = {
        {"(sin(20x) - 0.3)^2", "(sin(20*x1)-0.3)^2", arb_sin20_sq, "1e-10"},
        {"(sin(20x) - 0.3)^2", "(sin(20*x1)-0.3)^2", arb_sin20_sq, "1e-15"},
        {"\\|sin(3 pi x)\\|^3", "abs(sin(3*pi*x1))^3", arb_abs_sin_cubed, "1e-10"},
        {"exp(-x) cos(7x)", "exp(-x1)*cos(7*x1)", arb_exp_cos7, "1e-10"},
        {"exp(-x) cos(7x)", "exp(-x1)*cos(7*x1)", arb_exp_cos7, "1e-15"},
    };
    int disagreements = 0;
    for (long bits : precisions) {
        std::printf("\n## int_0^1, one thread, %ld-bit precision on both sides (median CPU time)\n\n", bits);
        std::printf("| integrand | tol | lpcert boxes | lpcert s | lpcert rel. width | Arb s | Arb rel. width | Arb goal bits | "
                    "Arb evaluations | lpcert s / Arb s |\n|---|---|---|---|---|---|---|---|---|---|\n");
        std::vector<std::string> details;
        for (const Case& c : cases) {
            const LpcertRun l = run_lpcert(c, bits);
            const ArbRun a = run_arb(c, bits, l.value);
            if (!a.overlaps_lpcert || a.status != 0) ++disagreements;
            std::printf("| %s | %s | %ld | %.3g | %.2g | %.3g | %.2g | %ld | %ld | %.0f |\n", c.label, c.tol, l.boxes,
                        l.seconds, l.rel_width, a.seconds, a.rel_width, static_cast<long>(a.goal_bits), a.evaluations,
                        l.seconds / a.seconds);
            details.push_back(std::string(c.label) + " at " + c.tol + ": lpcert " + l.enclosure + " (" + l.status +
                              "), Arb " + a.enclosure + (a.overlaps_lpcert ? "" : "  DISJOINT") +
                              (a.status != 0 ? "  (Arb: imaginary part not 0)" : ""));
        }
        std::printf("\n");
        for (const std::string& d : details) std::printf("- %s\n", d.c_str());
        std::printf("\nlpcert's Taylor forms alone (no Gauss-Legendre), by order (the default is %d; the CLI and the library accept 0..12), %ld bits:\n\n"
                    "| integrand | tol | order | boxes | s |\n|---|---|---|---|---|\n",
                    lpcert::single_domain_taylor_order(1), bits);
        for (const Case* c : {&cases[1], &cases[4]}) {
            for (int order : {6, 8, 10, 12}) {
                const LpcertRun l = run_lpcert(*c, bits, order, false);
                std::printf("| %s | %s | %d | %ld | %.3g |\n", c->label, c->tol, order, l.boxes, l.seconds);
            }
        }
        std::printf("\nlpcert per box (BoxIntegrator::enclose on [0.25, 0.25 + 2^-8], %ld bits):\n\n", bits);
        std::printf("| integrand | order 6 (us) | order 0 (us) |\n|---|---|---|\n");
        for (const Case* c : {&cases[0], &cases[2], &cases[3]}) {
            std::printf("| %s | %.2f | %.2f |\n", c->label, 1e6 * seconds_per_box(c->expression, 6, bits),
                        1e6 * seconds_per_box(c->expression, 0, bits));
        }
    }
    flint_cleanup();
    return disagreements == 0 ? 0 : 1;
}
