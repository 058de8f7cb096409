#include "construction/level_table.hpp"

#include <stdexcept>

namespace lpcert {

using boost::multiprecision::mpz_int;

namespace {

constexpr long kLimbBits = GMP_NUMB_BITS;

// Bits [from, from + count) of a non-negative integer m (bit 0 = least significant), read limb
// by limb: O(count), independent of the size of m.
mpz_int bits_of(mpz_srcptr m, long from, long count) {
    mpz_int out;
    if (count <= 0) return out;
    const long size = static_cast<long>(mpz_size(m));
    const long first_limb = from / kLimbBits;
    const long last_limb = (from + count - 1) / kLimbBits;
    const long n = last_limb - first_limb + 1;
    std::vector<mp_limb_t> limbs(static_cast<size_t>(n), 0);
    for (long i = 0; i < n; ++i) {
        const long li = first_limb + i;
        limbs[static_cast<size_t>(i)] = (li >= 0 && li < size) ? mpz_getlimbn(m, li) : 0;
    }
    mpz_ptr o = out.backend().data();
    mpz_import(o, static_cast<size_t>(n), -1, sizeof(mp_limb_t), 0, 0, limbs.data());
    mpz_tdiv_q_2exp(o, o, static_cast<mp_bitcnt_t>(from - first_limb * kLimbBits));
    mpz_tdiv_r_2exp(o, o, static_cast<mp_bitcnt_t>(count));
    return out;
}

}  // namespace

Dyadic pack_codes(const std::vector<mpz_int>& codes, int b) {
    const long n = static_cast<long>(codes.size());
    const long total = static_cast<long>(b) * n;
    std::vector<mp_limb_t> limbs(static_cast<size_t>((total + kLimbBits - 1) / kLimbBits) + 1, 0);
    for (long K = 0; K < n; ++K) {
        const mpz_srcptr q = codes[static_cast<size_t>(K)].backend().data();
        if (mpz_sgn(q) < 0 || static_cast<long>(mpz_sizeinbase(q, 2)) > b) {
            throw std::logic_error("pack_codes: a code does not fit in b bits");
        }
        // code K occupies bits [b (n-1-K), b (n-K)) of the mantissa
        const long offset = static_cast<long>(b) * (n - 1 - K);
        for (long bit = 0; bit < b; ++bit) {
            if (mpz_tstbit(q, static_cast<mp_bitcnt_t>(bit))) {
                const long at = offset + bit;
                limbs[static_cast<size_t>(at / kLimbBits)] |= mp_limb_t(1) << (at % kLimbBits);
            }
        }
    }
    mpz_int mantissa;
    mpz_import(mantissa.backend().data(), limbs.size(), -1, sizeof(mp_limb_t), 0, 0, limbs.data());
    return Dyadic(std::move(mantissa), -total);
}

mpz_int extract_fraction_bits(const Dyadic& omega, const Dyadic& s, long c) {
    // z = P * 2^e with P = mant(omega) * mant(s); we need floor(P 2^(e + c)) mod 2^c.
    const long e = omega.exponent() + s.exponent();
    const long shift = -(e + c);   // bits of P below the wanted block
    const mpz_srcptr ms = s.mantissa().backend().data();
    if (omega.sign() >= 0 && mpz_cmp_ui(ms, 1) == 0) {
        const mpz_srcptr m = omega.mantissa().backend().data();
        if (shift >= 0) return bits_of(m, shift, c);
        // the block reaches above bit 0 of P: its low -shift bits are zero
        mpz_int low = bits_of(m, 0, c + shift);
        return low << static_cast<unsigned long>(-shift);
    }
    // General case: form the product (exact, slower).
    mpz_int P = omega.mantissa() * s.mantissa();
    mpz_ptr p = P.backend().data();
    if (shift >= 0) {
        mpz_fdiv_q_2exp(p, p, static_cast<mp_bitcnt_t>(shift));
    } else {
        mpz_mul_2exp(p, p, static_cast<mp_bitcnt_t>(-shift));
    }
    mpz_fdiv_r_2exp(p, p, static_cast<mp_bitcnt_t>(c));
    return P;
}

}  // namespace lpcert
