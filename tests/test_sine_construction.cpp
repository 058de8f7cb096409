#define BOOST_TEST_MODULE sine_construction
#include <boost/test/unit_test.hpp>

#include "construction/builder.hpp"
#include "construction/cell_grid.hpp"
#include "construction/forward.hpp"
#include "construction/network_io.hpp"
#include "network_test_support.hpp"
#include "verify/check.hpp"
#include "verify/certificate.hpp"
#include "verify/certify_run.hpp"

using namespace lpcert;

namespace {

using test::Shape;
using test::random_values;
const std::vector<Shape> kShapes = {{1, 2, 3}, {1, 3, 3}, {2, 2, 3}, {2, 3, 2}, {3, 2, 2}};

// sum_{m<=l} R_m and |v_0| + sum R_m of a built network
Dyadic sum_R(const BuiltNetwork& b, int l) {
    Dyadic s;
    for (int m = 1; m <= l; ++m) s = s + b.levels[static_cast<size_t>(m) - 1].R;
    return s;
}

// |x - v| <= bound certainly
bool within(const Interval& x, const Dyadic& v, const Interval& bound) {
    Interval diff(x.precision());
    sub(diff, x, v.to_interval(x.precision()));
    abs(diff, diff);
    return certainly_less_equal(diff, bound);
}

}  // namespace

BOOST_AUTO_TEST_CASE(architecture_facts_and_prefix) {
    const Dyadic eta = Dyadic::power_of_two(-10), S = Dyadic::power_of_two(24);
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork b = build_sin_relu(v, s.d, s.N, s.L, 16, S);
        const ArchitectureFacts f = measure_architecture(b.network);
        BOOST_CHECK_EQUAL(f.width, 2 * s.d * s.N + s.d + 2);
        BOOST_CHECK_EQUAL(f.depth, s.L * (s.d + 2) + 1);
        BOOST_CHECK_EQUAL(f.activations.at("floor"), 0);
        BOOST_CHECK_EQUAL(f.activations.at("identity"), 0);
        BOOST_CHECK_EQUAL(f.activations.at("sin2pi"), s.L);   // one decoder per level
        CellValues shorter = v;
        shorter.v.pop_back();
        const BuiltNetwork a = build_sin_relu(shorter, s.d, s.N, s.L - 1, 16, S);
        BOOST_CHECK(shares_prefix(a.network, b.network, (s.L - 1) * (s.d + 2), s.L - 1));
    }
}

BOOST_AUTO_TEST_CASE(readouts_off_and_on_the_ramps) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    const long log_s = 24;
    const Dyadic S = Dyadic::power_of_two(log_s);
    auto& g = test::rng();
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork b = build_sin_relu(v, s.d, s.N, s.L, 16, S);
        IntervalForward pass(b.network, Precision(256));
        // off the ramps: random points of shrunk finest cells (margin 2^-(log_s) >= 1/(S N)), and
        // the corner x = (1, ..., 1)
        const CellGrid grid(s.d, s.N, s.L);
        for (int k = 0; k < 40; ++k) {
            const long K = static_cast<long>(g() % static_cast<unsigned long>(grid.cells()));
            const Box X = grid.shrunk_box(K, Dyadic::power_of_two(-log_s));
            std::vector<Interval> point;
            for (int i = 0; i < s.d; ++i) {
                // the box's lower corner plus a random fraction of its width (exact)
                Interval p(Precision(256)), w(Precision(256));
                set_exact_or_outward(p, X.side(i).lower());
                mpfr_sub(&w.raw()->left, X.side(i).upper(), X.side(i).lower(), MPFR_RNDN);
                mpfr_set(&w.raw()->right, &w.raw()->left, MPFR_RNDN);
                mpfi_mul_ui(w.raw(), w.raw(), g() % 1000);
                mpfi_div_ui(w.raw(), w.raw(), 1000);
                add(p, p, w);
                // a point of the box with a 64-bit mantissa: the pass at 256 bits then has room
                // for the ramps' S N t - S j + 1 without rounding
                mpfr_t q;
                mpfr_init2(q, 64);
                mpfr_set(q, p.lower(), MPFR_RNDU);
                mpfi_set_fr(p.raw(), q);
                mpfr_clear(q);
                point.push_back(p);
            }
            const auto& phi = pass.evaluate(point);
            for (int l = 1; l <= s.L; ++l) {
                const CellGrid gl(s.d, s.N, l);
                std::vector<long> kl = grid.axis_indices(K);
                for (auto& ki : kl) ki /= checked_power(s.N, s.L - l);
                const Dyadic want = v.v[static_cast<size_t>(l)][static_cast<size_t>(gl.cell_index(kl))];
                // |Phi_l - v| < 2 pi 2^-b sum R (7 > 2 pi)
                Interval tol = (sum_R(b, l) * Dyadic(7) * Dyadic::power_of_two(-16)).to_interval(Precision(256));
                BOOST_CHECK_MESSAGE(within(phi[static_cast<size_t>(l)], want, tol),
                                    "d=" << s.d << " N=" << s.N << " level " << l << ": " << to_string(phi[static_cast<size_t>(l)]));
            }
        }
        // on the ramps: |Phi_l - v_0| <= sum R everywhere (a point inside a level-1 ramp)
        std::vector<Interval> inside;
        for (int i = 0; i < s.d; ++i) {
            Interval p = (Dyadic(1) * Dyadic::power_of_two(0)).to_interval(Precision(256));
            mpfi_set_si(p.raw(), 1);
            mpfi_div_si(p.raw(), p.raw(), s.N);
            Interval back = Dyadic::power_of_two(-log_s - 3).to_interval(Precision(256));
            sub(p, p, back);
            mpfr_set(&p.raw()->right, &p.raw()->left, MPFR_RNDN);
            inside.push_back(p);
        }
        const auto& phi = pass.evaluate(inside);
        for (int l = 1; l <= s.L; ++l) {
            BOOST_CHECK(within(phi[static_cast<size_t>(l)], v.v[0][0], sum_R(b, l).to_interval(Precision(256))));
        }
    }
}

BOOST_AUTO_TEST_CASE(export_reimport_and_reevaluation) {
    const Dyadic eta = Dyadic::power_of_two(-10), S = Dyadic::power_of_two(24);
    const Shape s{2, 2, 2};
    const CellValues v = random_values(s, eta);
    const BuiltNetwork b = build_sin_relu(v, s.d, s.N, s.L, 16, S);
    const Network back = network_from_json(nlohmann::json::parse(network_to_json(b.network).dump()));
    BOOST_CHECK(shares_prefix(b.network, back, static_cast<int>(b.network.layers.size()), s.L + 1));
    // re-evaluated independently at a much higher precision, without the kernel's fast paths for
    // floor pairs (there are none): the shrunk cells give the same values within the tolerance
    IntervalForward high(back, Precision(1024));
    const CellGrid grid(s.d, s.N, s.L);
    for (long K = 0; K < grid.cells(); ++K) {
        const auto& phi = high.evaluate(grid.shrunk_box(K, Dyadic::power_of_two(-24)).sides());
        Interval tol = (sum_R(b, s.L) * Dyadic(7) * Dyadic::power_of_two(-16)).to_interval(Precision(256));
        BOOST_CHECK(within(phi[static_cast<size_t>(s.L)], v.v[static_cast<size_t>(s.L)][static_cast<size_t>(K)], tol));
    }
}

namespace {

nlohmann::json certify_sine(const std::string& text, int d, int L, const std::string& p, int N = 2) {
    RunRequest q(text, Expression::parse(text), d, Exponent::parse(p));
    q.N = N;
    q.levels = L;
    q.construction = Construction::SinRelu;
    const RunOutcome o = certify_run(q, JobOptions{1, {}}, StopToken());
    const CertificationResult& r = o.result;
    BOOST_CHECK_MESSAGE(r.all_certified(), text << " not certified");
    for (const auto& l : r.levels) BOOST_CHECK(l.exact_cell_values);
    BOOST_CHECK_EQUAL(r.architecture.activations.at("floor"), 0);
    return o.certificate;
}

}  // namespace

BOOST_AUTO_TEST_CASE(theorem_certified_for_the_sine_network) {
    const auto x1 = certify_sine("x1", 1, 5, "2");
    BOOST_CHECK_EQUAL(x1["parameters"]["construction"], "sin-relu");
    BOOST_CHECK(x1["parameters"]["steepness"].is_string());
    certify_sine("floor(x1 + 0.7)", 1, 5, "1");
    certify_sine("sin(2*pi*x1)*x2^2", 2, 3, "2");
    // N = 3, p = 3.5: S = 2^79, so the ramps' pre-activations need log2(S N) more bits than the
    // points; with too few the decoder's E became inexact and every shrunk cell read [-1, 1]
    certify_sine("x1", 1, 5, "3.5", 3);
    // check re-verifies, and rejects a tampered sine certificate
    BOOST_CHECK(check_certificate(x1, JobOptions{1, {}}, StopToken()).passed);
    auto tampered = x1;
    tampered["levels"][4]["error"]["upper"] = tampered["levels"][4]["error"]["lower"];
    tampered["levels"][4]["error"]["lower"] = "0";
    tampered["levels"][4]["error"]["upper"] = "1e-9";
    BOOST_CHECK(!check_certificate(tampered, JobOptions{1, {}}, StopToken()).passed);
}
