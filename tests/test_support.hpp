#pragma once
// Shared helpers of the test suites: a printed, overridable seed (LPCERT_SEED), an iteration
// multiplier (LPCERT_TEST_MULTIPLIER), and reference values written as strings.

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

#include "quadrature/interval.hpp"

namespace lpcert::test {

inline unsigned seed() {
    static const unsigned s = [] {
        const char* env = std::getenv("LPCERT_SEED");
        const unsigned v = env ? static_cast<unsigned>(std::strtoul(env, nullptr, 10)) : 20261125u;
        std::cout << "LPCERT_SEED=" << v << "\n";
        return v;
    }();
    return s;
}

inline int multiplier() {
    const char* env = std::getenv("LPCERT_TEST_MULTIPLIER");
    return env ? std::max(1, std::atoi(env)) : 1;
}

inline std::mt19937_64& rng() {
    static std::mt19937_64 g(seed());
    return g;
}

// Randomized cases, each with its own seed: body(case_seed) for `cases` * multiplier() seeds from
// seed() on, or for the one seed LPCERT_CASE_SEED names (printed by the tests with each failure,
// so that one case replays alone).
template <class Body>
void for_each_case(int cases, Body body) {
    const char* one = std::getenv("LPCERT_CASE_SEED");
    const unsigned base = one ? static_cast<unsigned>(std::strtoul(one, nullptr, 10)) : seed();
    const int count = one ? 1 : cases * multiplier();
    for (int c = 0; c < count; ++c) body(base + static_cast<unsigned>(c));
}

// (F(c h) - F(c l)) / c, the closed form of int_l^h F'(c x) dx, for an interval function
// F(out, x) (lpcert::exp, sin, cos, atan, ...), at l's precision.
template <class F>
Interval scaled_difference(F f, const Interval& l, const Interval& h, long c) {
    const Precision p = l.precision();
    Interval at_h(p), at_l(p), out(p);
    mul_si(at_h, h, c);
    f(at_h, at_h);
    mul_si(at_l, l, c);
    f(at_l, at_l);
    sub(out, at_h, at_l);
    mpfi_div_si(out.raw(), out.raw(), c);
    return out;
}

// A reference value from its decimal text, enclosed outward.
inline Interval ref(const std::string& text, long bits = 256) { return parse_decimal(text, Precision(bits)); }

// True when the enclosure contains the reference enclosure's whole range (the exact value lies
// in the reference, so containment of the reference proves containment of the value).
inline bool encloses(const Interval& result, const Interval& reference) { return contains(result, reference); }

}  // namespace lpcert::test
