#pragma once
// LevelTable: the exact dyadic theta_l = sum_K q_{l,K} 2^(-b(K+1)) of SPEC section 3 (b*N^(dl) bits),
// and the block-extraction kernel that reads one code back.
//
// The network's extraction neurons compute Q1 = floor(2^b z), Q0 = floor(z) with z = theta * E,
// and q = Q1 - 2^b Q0 = floor(2^b frac(z)): the b-bit block of theta's binary expansion that
// starts just below the position E shifts to the units. With E = 2^(bK) that block is q_{l,K}.
// extract_fraction_bits computes floor(2^c frac(z)) directly from theta's mantissa limbs, without
// forming the b*N^(dl)-bit product; it is tested bit for bit against plain MPFR/MPFI evaluation.

#include <boost/multiprecision/gmp.hpp>
#include <vector>

#include "quadrature/dyadic.hpp"

namespace lpcert {

// theta = sum_K codes[K] 2^(-b(K+1)); every code must lie in [0, 2^b).
Dyadic pack_codes(const std::vector<boost::multiprecision::mpz_int>& codes, int b);

// floor(2^c * frac(omega * s)) for exact dyadics omega and s: an integer in [0, 2^c).
// O(c) when s is a power of two and omega >= 0 (the network's case); exact in every case.
boost::multiprecision::mpz_int extract_fraction_bits(const Dyadic& omega, const Dyadic& s, long c);

}  // namespace lpcert
