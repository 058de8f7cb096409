#pragma once
// Dyadic: an exact number M * 2^E (M an arbitrary-precision integer, E a machine integer),
// the type of every weight and bias of an lpcert network and of the resolution eta.
// Never rounded: arithmetic here is exact, and conversion to an Interval is outward.
// Canonical form: M odd, or M = 0 with E = 0; text form "M" (E = 0) or "M*2^E" (INTERFACE.md).

#include <gmp.h>

#include <boost/multiprecision/gmp.hpp>
#include <string>

#include "quadrature/interval.hpp"

namespace lpcert {

class Dyadic {
public:
    Dyadic() = default;                                        // 0
    Dyadic(long integer);                                      // NOLINT: integers are dyadics
    Dyadic(boost::multiprecision::mpz_int mantissa, long exponent);

    static Dyadic power_of_two(long exponent) { return Dyadic(1, exponent); }
    // Parses "M" or "M*2^E"; throws InputError naming `what` on anything else.
    static Dyadic parse(const std::string& text, const std::string& what = "exact number");
    // The exact value of a finite MPFR number.
    static Dyadic from_mpfr(mpfr_srcptr x);

    const boost::multiprecision::mpz_int& mantissa() const { return mantissa_; }
    long exponent() const { return exponent_; }
    bool is_zero() const { return mantissa_ == 0; }
    int sign() const { return mantissa_.sign(); }
    // Number of significant bits of the mantissa (0 for zero).
    long mantissa_bits() const;

    std::string to_string() const;
    // [value, value] when prec suffices, else the outward rounding at prec.
    Interval to_interval(Precision prec) const;
    // Sets an MPFR value (whose precision the caller chose) to the value rounded in direction rnd;
    // returns MPFR's ternary value (0 = exact).
    int to_mpfr(mpfr_ptr out, mpfr_rnd_t rnd) const;
    void to_mpq(mpq_t out) const;

    friend Dyadic operator+(const Dyadic& a, const Dyadic& b);
    friend Dyadic operator-(const Dyadic& a, const Dyadic& b);
    friend Dyadic operator*(const Dyadic& a, const Dyadic& b);
    Dyadic operator-() const { return Dyadic(-mantissa_, exponent_); }
    Dyadic times_power_of_two(long e) const { return Dyadic(mantissa_, exponent_ + e); }
    friend bool operator==(const Dyadic& a, const Dyadic& b) {
        return a.exponent_ == b.exponent_ && a.mantissa_ == b.mantissa_;
    }
    friend bool operator!=(const Dyadic& a, const Dyadic& b) { return !(a == b); }
    friend bool operator<(const Dyadic& a, const Dyadic& b);   // exact comparison

    // Largest integer <= value.
    boost::multiprecision::mpz_int floor() const;
    Dyadic abs() const { return Dyadic(mantissa_ < 0 ? boost::multiprecision::mpz_int(-mantissa_) : mantissa_, exponent_); }

private:
    void canonicalize();
    boost::multiprecision::mpz_int mantissa_ = 0;
    long exponent_ = 0;
};

}  // namespace lpcert
