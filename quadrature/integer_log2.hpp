#pragma once
// Exact integer logarithms for decisions such as bit counts and margins (never std::log2 on a
// double: a rounded log2(N^l) can land on the wrong side of an integer).

#include <gmp.h>

namespace lpcert {

// floor(log2 n) for n >= 1.
inline long floor_log2(unsigned long n) {
    long b = -1;
    while (n) {
        n >>= 1;
        ++b;
    }
    return b;
}

// ceil(log2 n) for n >= 1 (0 for n = 1).
inline long ceil_log2(unsigned long n) { return n <= 1 ? 0 : floor_log2(n - 1) + 1; }

// ceil(log2(N^l)) for N >= 1, l >= 0, exactly (N^l as a GMP integer).
inline long ceil_log2_of_power(unsigned long N, unsigned long l) {
    mpz_t v;
    mpz_init(v);
    mpz_ui_pow_ui(v, N, l);
    mpz_sub_ui(v, v, 1);
    const long r = mpz_sgn(v) == 0 ? 0 : static_cast<long>(mpz_sizeinbase(v, 2));
    mpz_clear(v);
    return r;
}

}  // namespace lpcert
