#define BOOST_TEST_MODULE construction
#include <boost/test/unit_test.hpp>

#include "construction/builder.hpp"
#include "construction/cell_grid.hpp"
#include "construction/forward.hpp"
#include "construction/level_table.hpp"
#include "construction/network_io.hpp"
#include "quadrature/errors.hpp"
#include "network_test_support.hpp"

using namespace lpcert;
using boost::multiprecision::mpq_rational;
using boost::multiprecision::mpz_int;

namespace {

using test::Shape;
using test::random_values;
const std::vector<Shape> kShapes = {{1, 2, 4}, {1, 3, 3}, {2, 2, 3}, {2, 3, 2}, {3, 2, 2}};

// K_l(x) computed from the definition (SPEC section 2), independently of CellGrid.
long cell_of(const std::vector<mpq_rational>& x, int l, int N, int d) {
    long K = 0, place = 1;
    for (int m = 1; m <= l; ++m) {
        long a = 0, digit_place = 1;
        for (int i = 0; i < d; ++i) {
            long digit;
            if (x[static_cast<size_t>(i)] == 1) {
                digit = N - 1;
            } else {
                mpq_rational scaled = x[static_cast<size_t>(i)];
                for (int k = 0; k < m; ++k) scaled *= N;
                mpz_int f;
                mpz_fdiv_q(f.backend().data(), mpq_numref(scaled.backend().data()), mpq_denref(scaled.backend().data()));
                digit = static_cast<long>(f.convert_to<long>() % N);
            }
            a += digit * digit_place;
            digit_place *= N;
        }
        K += a * place;
        place *= digit_place;
    }
    return K;
}

std::vector<std::vector<mpq_rational>> sample_points(const Shape& s, int count) {
    std::vector<std::vector<mpq_rational>> pts;
    auto& g = test::rng();
    for (int k = 0; k < count; ++k) {
        std::vector<mpq_rational> x;
        for (int i = 0; i < s.d; ++i) x.push_back(mpq_rational(static_cast<long>(g() % 1000001), 1000000));
        pts.push_back(x);
    }
    pts.push_back(std::vector<mpq_rational>(static_cast<size_t>(s.d), mpq_rational(1)));
    pts.push_back(std::vector<mpq_rational>(static_cast<size_t>(s.d), mpq_rational(0)));
    pts.push_back(std::vector<mpq_rational>(static_cast<size_t>(s.d), mpq_rational(1, s.N)));
    // cell corners of the finest level
    const long per_axis = checked_power(s.N, s.L);
    for (int k = 0; k < 10; ++k) {
        std::vector<mpq_rational> x;
        for (int i = 0; i < s.d; ++i) x.push_back(mpq_rational(static_cast<long>(g() % static_cast<unsigned long>(per_axis + 1)), per_axis));
        pts.push_back(x);
    }
    return pts;
}

mpq_rational rational(const Dyadic& v) {
    mpq_rational q;
    v.to_mpq(q.backend().data());
    return q;
}

}  // namespace

BOOST_AUTO_TEST_CASE(readouts_equal_the_cell_values_exactly) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork built = build_floor_relu(v, s.d, s.N, s.L, 16);
        const ExactForward exact(built.network);
        int wrong = 0, checked = 0;
        for (const auto& x : sample_points(s, 60 * test::multiplier())) {
            const auto phi = exact.readouts(x);
            for (int l = 0; l <= s.L; ++l) {
                const long K = cell_of(x, l, s.N, s.d);
                if (phi[static_cast<size_t>(l)] != rational(v.v[static_cast<size_t>(l)][static_cast<size_t>(K)])) ++wrong;
                ++checked;
            }
        }
        BOOST_CHECK_MESSAGE(wrong == 0, "d=" << s.d << " N=" << s.N << " L=" << s.L << ": " << wrong << " of " << checked);
    }
}

BOOST_AUTO_TEST_CASE(width_depth_and_activations_follow_the_formulas) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    for (const auto& s : kShapes) {
        const BuiltNetwork built = build_floor_relu(random_values(s, eta), s.d, s.N, s.L, 16);
        const ArchitectureFacts f = measure_architecture(built.network);
        BOOST_CHECK_EQUAL(f.width, 2 * s.d * s.N + s.d + 2);
        BOOST_CHECK_EQUAL(f.depth, s.L * (s.d + 2) + 1);
        BOOST_CHECK_EQUAL(f.activations.at("sin2pi"), 0);
        // floor neurons: d digits per level + two extraction neurons per level
        BOOST_CHECK_EQUAL(f.activations.at("floor"), s.L * (s.d + 2));
    }
}

BOOST_AUTO_TEST_CASE(appending_a_level_keeps_every_earlier_weight) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    for (const auto& s : kShapes) {
        Shape longer = s;
        longer.L = s.L + 1;
        const CellValues vl = random_values(longer, eta);
        CellValues vs = vl;
        vs.v.pop_back();
        const BuiltNetwork a = build_floor_relu(vs, s.d, s.N, s.L, 16);
        const BuiltNetwork b = build_floor_relu(vl, s.d, s.N, longer.L, 16);
        BOOST_CHECK(shares_prefix(a.network, b.network, s.L * (s.d + 2), s.L));
        // and a different value at level 1 breaks it (the check can fail)
        CellValues other = vl;
        other.v[1][0] = other.v[1][0] + eta;
        const BuiltNetwork c = build_floor_relu(other, s.d, s.N, longer.L, 16);
        BOOST_CHECK(!shares_prefix(b.network, c.network, s.L * (s.d + 2), s.L));
    }
}

BOOST_AUTO_TEST_CASE(interval_pass_with_kernel_agrees_bit_for_bit_with_plain_mpfi) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork built = build_floor_relu(v, s.d, s.N, s.L, 16);
        const long table_bits = 16 * checked_power(s.N, static_cast<long>(s.d) * s.L);
        IntervalForward fast(built.network, Precision(128));
        IntervalForward plain(built.network, Precision(2 * table_bits + 256), false);
        BOOST_CHECK_EQUAL(fast.recognised_extractions(), s.L);
        BOOST_CHECK_EQUAL(plain.recognised_extractions(), 0);
        for (int l = 0; l <= s.L; ++l) {
            const CellGrid grid(s.d, s.N, l);
            for (long K = 0; K < grid.cells(); K += std::max(1L, grid.cells() / 7)) {
                const Box X = grid.shrunk_box(K, Dyadic::power_of_two(-60));
                const auto a = fast.evaluate(X.sides(), l);
                const auto b = plain.evaluate(X.sides(), l);
                const Interval want = v.v[static_cast<size_t>(l)][static_cast<size_t>(K)].to_interval(Precision(128));
                BOOST_CHECK_MESSAGE(a[static_cast<size_t>(l)].is_point() && mpfr_equal_p(a[static_cast<size_t>(l)].lower(), want.lower()),
                                    "kernel: level " << l << " cell " << K << " " << to_string(a[static_cast<size_t>(l)]));
                BOOST_CHECK_MESSAGE(b[static_cast<size_t>(l)].is_point() && mpfr_equal_p(b[static_cast<size_t>(l)].lower(), want.lower()),
                                    "plain: level " << l << " cell " << K << " " << to_string(b[static_cast<size_t>(l)]));
            }
        }
    }
}

// The nested passes of the certification (IntervalForward::evaluate_level down the tree of
// shrunk cells, each level resuming from its parent's state) give every cell value exactly: the
// builder's v_{l,K}, at every level, for every cell of the finest level L.
BOOST_AUTO_TEST_CASE(nested_passes_down_the_cell_tree_give_every_cell_value) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    const Dyadic margin = Dyadic::power_of_two(-60);
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork built = build_floor_relu(v, s.d, s.N, s.L, 16);
        IntervalForward pass(built.network, Precision(128));
        std::vector<CellGrid> grids;
        for (int l = 0; l <= s.L; ++l) grids.emplace_back(s.d, s.N, l);
        const long children = checked_power(s.N, s.d);
        long visits = 0;
        // node K of level l (little-endian: its children are K + a N^(d l))
        auto visit = [&](auto&& self, int l, long K) -> void {
            const Box X = grids[static_cast<size_t>(l)].shrunk_box(K, margin);
            const Interval got = pass.evaluate_level(X.sides(), l, l < s.L);
            visits++;
            const Interval want = v.v[static_cast<size_t>(l)][static_cast<size_t>(K)].to_interval(Precision(128));
            BOOST_CHECK_MESSAGE(got.is_point() && mpfr_equal_p(got.lower(), want.lower()),
                                "d " << s.d << " N " << s.N << " level " << l << " cell " << K << ": " << to_string(got));
            if (l == s.L) return;
            for (long a = 0; a < children; ++a) self(self, l + 1, K + a * grids[static_cast<size_t>(l)].cells());
        };
        visit(visit, 0, 0);
        BOOST_TEST(pass.nested_passes() == visits - 1);   // every cell but the cube from its parent
    }
}

BOOST_AUTO_TEST_CASE(extraction_kernel_matches_the_product) {
    auto& g = test::rng();
    for (int k = 0; k < 200 * test::multiplier(); ++k) {
        const mpz_int m = (mpz_int(static_cast<long>(g() >> 1)) << 200) + static_cast<long>(g() >> 1);
        const Dyadic omega(m, -static_cast<long>(g() % 300));
        const long c = 1 + static_cast<long>(g() % 100);
        const Dyadic power = Dyadic::power_of_two(static_cast<long>(g() % 400) - 100);
        // plain: floor(2^c z) - 2^c floor(z) with the exact product
        const Dyadic z = omega * power;
        const mpz_int plain = (z * Dyadic::power_of_two(c)).floor() - (z.floor() << static_cast<unsigned>(c));
        BOOST_CHECK_EQUAL(extract_fraction_bits(omega, power, c), plain);
        const Dyadic three_power = power * Dyadic(3);   // the general (non power of two) path
        const Dyadic z3 = omega * three_power;
        const mpz_int plain3 = (z3 * Dyadic::power_of_two(c)).floor() - (z3.floor() << static_cast<unsigned>(c));
        BOOST_CHECK_EQUAL(extract_fraction_bits(omega, three_power, c), plain3);
    }
}

BOOST_AUTO_TEST_CASE(export_reimport_and_exact_reevaluation) {
    const Dyadic eta = Dyadic::power_of_two(-10);
    for (const auto& s : kShapes) {
        const CellValues v = random_values(s, eta);
        const BuiltNetwork built = build_floor_relu(v, s.d, s.N, s.L, 16);
        const std::string text = network_to_json(built.network).dump();
        const Network back = network_from_json(nlohmann::json::parse(text));
        BOOST_CHECK(shares_prefix(built.network, back, static_cast<int>(built.network.layers.size()), s.L + 1));
        const ExactForward exact(back);
        for (const auto& x : sample_points(s, 20)) {
            const auto phi = exact.readouts(x);
            for (int l = 0; l <= s.L; ++l) {
                BOOST_CHECK(phi[static_cast<size_t>(l)] ==
                            rational(v.v[static_cast<size_t>(l)][static_cast<size_t>(cell_of(x, l, s.N, s.d))]));
            }
        }
    }
    BOOST_CHECK_THROW(network_from_json(nlohmann::json::parse(R"({"schema":"lpcert-network/1","d":1,"N":2,"levels":0,"layers":[{"neurons":[{"activation":"relu","weights":[[5,"1"]],"bias":"0"}]}],"readouts":[{"level":0,"layer":-1,"weights":[],"bias":"1.5"}]})")),
                      InputError);
}

BOOST_AUTO_TEST_CASE(cell_values_are_within_eta_of_the_averages) {
    // f = x1 + 3 x2: the average over a cell with indices (k1, k2) is (k1 + 1/2 + 3 (k2 + 1/2))/N^l
    // exactly. The coarser levels' values come from sums of the finest cells' integrals: a child
    // summed into the wrong parent moves an average by at least 1/N^l >> eta.
    ConstructionRequest r;
    r.d = 2;
    r.N = 3;
    r.levels = 2;
    const Dyadic eta = Dyadic::power_of_two(-20);
    const CellValues v = compute_cell_values(Expression::parse("x1 + 3*x2"), r, eta);
    for (int l = 0; l <= r.levels; ++l) {
        const CellGrid grid(r.d, r.N, l);
        for (long K = 0; K < grid.cells(); ++K) {
            const long k1 = grid.axis_indices(K)[0], k2 = grid.axis_indices(K)[1];
            const mpq_rational avg = mpq_rational(2 * k1 + 1 + 3 * (2 * k2 + 1), 2 * grid.per_axis());
            const mpq_rational diff = rational(v.v[static_cast<size_t>(l)][static_cast<size_t>(K)]) - avg;
            BOOST_CHECK(abs(diff) <= rational(eta));
        }
    }
}

BOOST_AUTO_TEST_CASE(codes_that_do_not_fit_name_the_option) {
    CellValues v;
    v.eta = Dyadic::power_of_two(-20);
    v.v = {{Dyadic(0)}, {Dyadic(1), Dyadic(-1)}};   // residual 1 needs log2(2 * 2^20) bits
    try {
        build_floor_relu(v, 1, 2, 1, 16);
        BOOST_ERROR("a 22-bit code was accepted with b = 16");
    } catch (const InputError& e) {
        BOOST_CHECK(std::string(e.what()).find("--digit-bits") != std::string::npos);
    }
    BOOST_CHECK_NO_THROW(build_floor_relu(v, 1, 2, 1, 24));
}

BOOST_AUTO_TEST_CASE(huge_builds_are_refused_up_front) {
    ConstructionRequest r;
    r.d = 3;
    r.N = 4;
    r.levels = 12;
    BOOST_CHECK_THROW(check_build_resources(r), ResourceLimit);
    r.levels = 2;
    BOOST_CHECK_NO_THROW(check_build_resources(r));
}
