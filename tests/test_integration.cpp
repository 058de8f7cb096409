#define BOOST_TEST_MODULE integration
#include <boost/test/unit_test.hpp>
#include <tbb/global_control.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/stop_token.hpp"
#include "test_support.hpp"

using namespace lpcert;

namespace {

// gauss_legendre = false: one 1-D domain by the Taylor forms alone (both paths are tested)
IntegralEnclosure integrate(const std::string& text, int d, const std::string& tol, int order, long bits = 128,
                            bool gauss_legendre = true) {
    const Expression e = Expression::parse(text);
    IntegrationOptions o;
    o.max_boxes = 400000;
    o.relative_tolerance = tol;
    o.taylor_order = order;
    o.gauss_legendre = gauss_legendre;
    return enclose_integral(e, {Piece{Box::unit_cube(d), 0}}, {}, o, Precision(bits));
}

// Closed forms, 40 digits, enclosed outward from their decimal text.
struct ClosedForm {
    std::string f;
    int d;
    std::string value;
};

const std::vector<ClosedForm> kClosedForms = {
    {"x1^2", 1, "0.3333333333333333333333333333333333333333"},
    {"(sin(20*x1) - 0.3)^2", 1, "0.5629285473484098997445216682948750444349"},
    {"abs(x1 - 0.3)^3", 1, "0.06205"},
    {"abs(x1 - 0.3)^2.5", 1, "0.08621797090109354229138605399426884756527"},
    {"floor(x1 + 0.7)", 1, "0.7"},
    {"sin(pi*x1)*sin(pi*x2)", 2, "0.4052847345693510857755178528389105556174"},
    {"(sin(2*pi*x1)*sin(2*pi*x2) - 0.1)^2", 2, "0.26"},
    {"x1*x2^2 + x2", 2, "0.6666666666666666666666666666666666666667"},
    {"exp(x1 + x2 + x3)", 3, "5.073214111772852765318109686914681950718"},
    {"cos(x1)*cos(x2)*cos(x3)", 3, "0.5958232365909555744641905405206966797551"},
    // a jump and a kink across planes in d = 3: the boxes where the Taylor form fails are cut
    // across the plane only (split_axis); cutting every side in turn would need ~(1/tol)^3 boxes
    {"floor(x2 + 0.7)", 3, "0.7"},
    {"abs(x3 - 0.3)", 3, "0.29"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(closed_forms_are_contained_in_d_1_2_3) {
    for (const auto& c : kClosedForms) {
        for (int variant : {0, 2, 4, -2, -4}) {   // negative: that order with the Taylor forms alone
            const int order = std::abs(variant);
            if (order == 0 && c.d > 2) continue;   // order 0 needs ~(1/tol)^d boxes
            const std::string tol = order == 0 ? "3e-2" : order == 2 ? (c.d == 1 ? "1e-6" : c.d == 2 ? "1e-4" : "1e-3") : (c.d < 3 ? "1e-6" : "1e-5");
            const auto r = integrate(c.f, c.d, tol, order, 128, variant >= 0);
            const Interval truth = test::ref(c.value);
            // The 40-digit reference is within 1e-39 of the value: the enclosure must meet that band.
            Interval widened{Precision(256)}, eps = test::ref("1e-39");
            mpfi_interv_fr(widened.raw(), truth.lower(), truth.upper());
            mpfi_blow(widened.raw(), widened.raw(), 0.0);
            Interval lo{Precision(256)}, hi{Precision(256)};
            sub(lo, truth, eps);
            add(hi, truth, eps);
            set_hull(widened, lo.lower(), hi.upper());
            BOOST_CHECK_MESSAGE(overlaps(r.value, widened), c.f << " order " << order << ": " << to_string(r.value)
                                                                 << " misses " << c.value);
            if (order > 0) BOOST_CHECK_MESSAGE(r.status == IntegrationStatus::Converged, c.f << " did not converge");
        }
    }
}

BOOST_AUTO_TEST_CASE(exact_rational_integrals_are_strictly_contained) {
    // Values that are exact rationals: the enclosure must contain them (no tolerance at all).
    struct Exact { std::string f; int d; long num, den; };
    for (const auto& c : std::vector<Exact>{{"x1^2", 1, 1, 3}, {"x1*x2^2 + x2", 2, 2, 3}, {"abs(x1 - 0.3)^3", 1, 1241, 20000},
                                            {"floor(x1 + 0.7)", 1, 7, 10}, {"(x1 + x2 + x3)^2", 3, 5, 2}}) {
        for (long bits : {24L, 64L, 200L, -24L, -64L, -200L}) {   // negative: the Taylor forms alone
            const auto r = integrate(c.f, c.d, "1e-5", 4, std::abs(bits), bits > 0);
            mpq_t q, l, h;
            mpq_inits(q, l, h, nullptr);
            mpq_set_si(q, c.num, static_cast<unsigned long>(c.den));
            mpfr_get_q(l, r.value.lower());
            mpfr_get_q(h, r.value.upper());
            BOOST_CHECK_MESSAGE(mpq_cmp(l, q) <= 0 && mpq_cmp(q, h) <= 0, c.f << " at " << bits << " bits: " << to_string(r.value));
            mpq_clears(q, l, h, nullptr);
        }
    }
}

BOOST_AUTO_TEST_CASE(higher_order_is_narrower_at_equal_work) {
    const auto r0 = integrate("(sin(20*x1) - 0.3)^2", 1, "1e-3", 0);
    const auto r4 = integrate("(sin(20*x1) - 0.3)^2", 1, "1e-3", 4, 128, false);
    BOOST_CHECK(overlaps(r0.value, r4.value));
    BOOST_CHECK_LT(r4.boxes * 20, r0.boxes);   // the Taylor form needs far fewer boxes
}

BOOST_AUTO_TEST_CASE(result_does_not_depend_on_thread_count) {
    std::vector<std::string> ends;
    for (int threads : {1, 2}) {
        tbb::global_control c(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
        const auto r = integrate("(sin(2*pi*x1)*sin(2*pi*x2) - 0.1)^2", 2, "1e-5", 4);
        ends.push_back(decimal_down(r.value.lower(), 40) + " " + decimal_up(r.value.upper(), 40) + " " +
                       std::to_string(r.boxes));
    }
    BOOST_CHECK_EQUAL(ends[0], ends[1]);
}

BOOST_AUTO_TEST_CASE(lp_norms_are_rooted_outward) {
    // ||x1||_p = (1/(p+1))^(1/p); p = 3.5 -> (1/4.5)^(2/7)
    const Expression f = Expression::parse("x1");
    IntegrationOptions o;
    o.relative_tolerance = "1e-8";
    const auto n = enclose_lp_norm(f, 1, Exponent::parse("3.5"), o, Precision(128));
    BOOST_CHECK(overlaps(n.norm, test::ref("0.6506805921222895947358880516717580450326")));
    const auto n2 = enclose_lp_norm(f, 1, Exponent::parse("2"), o, Precision(128));
    BOOST_CHECK(overlaps(n2.norm, test::ref("0.5773502691896257645091487805019574556476")));
    BOOST_CHECK_THROW(Exponent::parse("0.5"), InputError);
    BOOST_CHECK_THROW(Exponent::parse("abc"), InputError);
}

BOOST_AUTO_TEST_CASE(budget_spent_still_returns_a_true_enclosure) {
    const Expression e = Expression::parse("abs(sin(30*x1) - 0.2)");
    IntegrationOptions o;
    o.relative_tolerance = "1e-12";
    o.max_boxes = 12;   // (Gauss-Legendre, which settles the abs's sign piece by piece, needs about 40 pieces)
    const auto r = enclose_integral(e, {Piece{Box::unit_cube(1), 0}}, {}, o, Precision(128));
    BOOST_CHECK(r.status == IntegrationStatus::BudgetSpent);
    const auto good = integrate("abs(sin(30*x1) - 0.2)", 1, "1e-8", 4);
    BOOST_CHECK(contains(r.value, good.value) || overlaps(r.value, good.value));
}

BOOST_AUTO_TEST_CASE(a_stop_request_leaves_a_true_enclosure) {
    // Stops requested from another thread at many moments land between rounds and inside the
    // parallel re-evaluation of a round; the enclosure must contain the exact value every time.
    const Expression e = Expression::parse("abs(x1 - 0.3)^3 + abs(x2 - 0.6)");   // 1241/20000 + 0.26
    mpq_t exact, l, h;
    mpq_inits(exact, l, h, nullptr);
    mpq_set_si(exact, 1241 + 5200, 20000);
    int stopped = 0;
    for (int micros : {0, 200, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000}) {
        StopSource source;
        IntegrationOptions o;
        o.stop = source.token();
        o.relative_tolerance = "1e-14";
        o.taylor_order = 0;
        o.max_boxes = 2000000;
        std::thread stopper([micros, &source] {
            std::this_thread::sleep_for(std::chrono::microseconds(micros));
            source.request_stop("test");
        });
        std::optional<IntegralEnclosure> r;
        try {
            r = enclose_integral(e, {Piece{Box::unit_cube(2), 0}}, {}, o, Precision(96));
        } catch (const Stopped&) {   // only before the first piece was enclosed
        }
        stopper.join();
        if (!r) continue;
        stopped += r->status == IntegrationStatus::Stopped ? 1 : 0;
        mpfr_get_q(l, r->value.lower());
        mpfr_get_q(h, r->value.upper());
        BOOST_CHECK_MESSAGE(mpq_cmp(l, exact) <= 0 && mpq_cmp(exact, h) <= 0,
                            "stopped after " << micros << " us: " << to_string(r->value));
    }
    BOOST_CHECK_GT(stopped, 5);
    StopSource before;
    before.request_stop("before any work");
    IntegrationOptions o;
    o.stop = before.token();
    BOOST_CHECK_THROW(enclose_integral(Expression::parse("x1^2"), {Piece{Box::unit_cube(1), 0}}, {}, o, Precision(96)), Stopped);
    // another computation with its own token is not stopped by it
    BOOST_CHECK(integrate("x1^2", 1, "1e-5", 4).status == IntegrationStatus::Converged);
    mpq_clears(exact, l, h, nullptr);
}
