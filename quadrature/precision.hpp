#pragma once
// Working precision, always passed explicitly (like Arb's `prec`).
//
// Boost.Multiprecision keeps a default precision as hidden global state (process-wide in
// Boost 1.74, per thread from 1.77 on, so a TBB worker may see a different one). lpcert never
// reads it: every number is created with a Precision, and every function that rounds writes
// into a destination whose precision was chosen by the caller.

#include <mpfr.h>

namespace lpcert {

struct Precision {
    mpfr_prec_t bits;
    explicit constexpr Precision(mpfr_prec_t b) : bits(b) {}
};

}  // namespace lpcert
