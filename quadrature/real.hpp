#pragma once
// Real: a point value, Boost.Multiprecision's mpfr_float (MPFR underneath) with an explicitly
// chosen precision. Used where an approximation is all that is wanted (plots, finite-difference
// tests, the arcsin of the sine-ReLU codes). On a certified path it is only the owned storage
// of one MPFR number whose every operation is an mpfr_* call naming its rounding (RNDD/RNDU:
// a bound's end, a goal rounded down); its approximate conversions never are.

#include <boost/multiprecision/mpfr.hpp>
#include <mpfr.h>

#include <string>

#include "quadrature/precision.hpp"

namespace lpcert {

class Real {
public:
    explicit Real(Precision prec) {
        mpfr_set_prec(raw(), prec.bits);
        mpfr_set_zero(raw(), 1);
    }
    Real(const std::string& decimal, Precision prec) : Real(prec) {
        mpfr_set_str(raw(), decimal.c_str(), 10, MPFR_RNDN);
    }
    mpfr_ptr raw() { return value_.backend().data(); }
    mpfr_srcptr raw() const { return value_.backend().data(); }
    Precision precision() const { return Precision(mpfr_get_prec(raw())); }
    // Approximate conversion for display only.
    double approximate() const { return mpfr_get_d(raw(), MPFR_RNDN); }

private:
    boost::multiprecision::mpfr_float value_;
};

}  // namespace lpcert
