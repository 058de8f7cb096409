#pragma once
// Interval: a closed real interval [lower, upper], stored as an MPFI mpfi_t with an explicitly
// chosen precision (it was Boost.Multiprecision's mpfi_float, whose copies and moves follow
// version-dependent, thread-local default precisions; the MPFI value itself is owned here).
//
// Contract (the inclusion principle): every function below that produces an Interval
// returns an ENCLOSURE: if the inputs contain real numbers x, y, the output contains the exact
// f(x, y). Results are rounded outward to the precision of the destination `out`, which the
// caller chose when it created `out`; nothing reads a default precision.
//
// Undefined cases are decided once, here: an argument that is partly outside a function's
// domain (log of an interval reaching 0 or below, sqrt reaching below 0, a divisor containing
// 0, tan over a pole, a real power of a base reaching below 0) throws DomainError; so does any
// operation whose result is unbounded or NaN. Enclosures are therefore always finite.
//
// Comparisons: never compare mpfi_float values with Boost's operators (overlapping intervals
// make them throw from a noexcept function and terminate the process). Use the three-way
// predicates certainly_* / possibly_* below, which answer only what is certain.

#include <boost/multiprecision/mpfi.hpp>
#include <mpfi.h>
#include <mpfr.h>

#include <string>

#include "quadrature/precision.hpp"

namespace lpcert {

class Interval {
public:
    explicit Interval(Precision prec);              // the point 0
    Interval(long value, Precision prec);           // encloses `value` (exact when it fits)
    // A double literal such as 0.1 is not the number it looks like: build enclosures from
    // decimal text (parse_decimal) or exact values instead. tests/compile_fail checks this.
    Interval(double value, Precision prec) = delete;
    Interval(int value, Precision prec) : Interval(static_cast<long>(value), prec) {}

    // Copies, assignments and moves: an Interval is a value, and each of them produces an EXACT
    // copy of the source AT THE SOURCE'S PRECISION (the destination's former precision is
    // dropped; nothing is rounded, so nothing becomes wider or less precise: `lc.error =
    // enclose_error(...)` keeps the enclosure's precision). To round a value into a precision
    // chosen beforehand, use round_into(out, a) below. A moved-from Interval is a valid interval
    // (after a move construction: 0 at the source's precision; after a move assignment: the
    // destination's former value and precision).
    // These are written out with mpfi_init2/mpfi_set_prec/mpfi_set/mpfi_swap on the owned mpfi_t:
    // no default precision is read anywhere, on any Boost version and in any thread (Boost's own
    // mpfi_float keeps the source's precision on 1.74 but follows thread-local options and
    // default precisions from 1.77 on). tests/test_interval.cpp checks it inside TBB workers.
    Interval(const Interval& other);
    Interval(Interval&& other) noexcept;
    Interval& operator=(const Interval& other);
    Interval& operator=(Interval&& other) noexcept;
    ~Interval();

    Precision precision() const { return Precision(mpfi_get_prec(raw())); }
    mpfi_ptr raw() { return value_; }
    mpfi_srcptr raw() const { return value_; }
    mpfr_srcptr lower() const { return &raw()->left; }
    mpfr_srcptr upper() const { return &raw()->right; }

    // both ends finite and not NaN; inline (MPFR's documented nan/inf macros read the exponent
    // field) because every arithmetic operation checks its result
    bool is_finite() const {
        return !mpfr_nan_p(lower()) && !mpfr_inf_p(lower()) && !mpfr_nan_p(upper()) && !mpfr_inf_p(upper());
    }
    bool is_point() const;       // lower == upper
    bool contains_zero() const;

private:
    mpfi_t value_;
};

// ---- construction (outward) ------------------------------------------------------------------
void set_exact_or_outward(Interval& out, mpfr_srcptr x);            // [x, x] rounded outward
void set_hull(Interval& out, mpfr_srcptr lo, mpfr_srcptr hi);        // [lo, hi] rounded outward
void round_into(Interval& out, const Interval& a);                   // a rounded outward to out's precision
void set_pi(Interval& out);
void set_e(Interval& out);
Interval hull(const Interval& a, const Interval& b);                 // at the wider precision
Interval make_interval(mpfr_srcptr lo, mpfr_srcptr hi, Precision prec);

// ---- arithmetic, rounded outward to out's precision; aliasing out with inputs is allowed ------
void add(Interval& out, const Interval& a, const Interval& b);
void sub(Interval& out, const Interval& a, const Interval& b);
void mul(Interval& out, const Interval& a, const Interval& b);
// acc += a * b, the product rounded outward to scratch's precision and the sum to acc's: the
// endpoints of mul(scratch, a, b) then add(acc, acc, scratch), computed without MPFI's
// temporaries (the inner loop of series products). acc must not alias a or b; scratch is
// overwritten.
void add_product(Interval& acc, const Interval& a, const Interval& b, Interval& scratch);
void div(Interval& out, const Interval& a, const Interval& b);       // DomainError if 0 in b
void neg(Interval& out, const Interval& a);
void sqr(Interval& out, const Interval& a);                          // tight: [0, ..] on 0
void mul_si(Interval& out, const Interval& a, long k);
void mul_2si(Interval& out, const Interval& a, long e);              // exact: a * 2^e
void add_si(Interval& out, const Interval& a, long k);
void abs(Interval& out, const Interval& a);
void sqrt(Interval& out, const Interval& a);                         // DomainError below 0
void exp(Interval& out, const Interval& a);
void log(Interval& out, const Interval& a);                          // DomainError at <= 0
void sin(Interval& out, const Interval& a);
void cos(Interval& out, const Interval& a);
// Both at once (what Taylor series of sin and cos need): s and c may have different precisions,
// must be distinct objects, and may alias a.
void sin_cos(Interval& s, Interval& c, const Interval& a);
void tan(Interval& out, const Interval& a);                          // DomainError over a pole
void atan(Interval& out, const Interval& a);
void tanh(Interval& out, const Interval& a);
void floor(Interval& out, const Interval& a);
void min(Interval& out, const Interval& a, const Interval& b);
void max(Interval& out, const Interval& a, const Interval& b);
void pow_int(Interval& out, const Interval& a, long n);              // a^n, n integer (n<0: 1/a^-n)
void pow_real(Interval& out, const Interval& a, const Interval& y);  // a^y for a >= 0 (a > 0 if y may be <= 0)
void intersect_with(Interval& out, const Interval& other);           // out := out ∩ other (must meet)

// ---- predicates: true only when certain ---------------------------------------------------------
bool certainly_positive(const Interval& a);      // a > 0 everywhere
bool certainly_negative(const Interval& a);
bool certainly_nonnegative(const Interval& a);
bool certainly_less(const Interval& a, const Interval& b);        // every a < every b
bool certainly_less_equal(const Interval& a, const Interval& b);  // upper(a) <= lower(b)
bool possibly_less_equal(const Interval& a, const Interval& b);   // lower(a) <= upper(b)
bool overlaps(const Interval& a, const Interval& b);
bool contains(const Interval& outer, const Interval& inner);
bool contains_point(const Interval& a, mpfr_srcptr x);

// ---- measurements ---------------------------------------------------------------------------
// Width upper - lower, rounded up, and magnitude max |x|, rounded up, into an MPFR value
// whose precision the caller chose.
void width_up(mpfr_ptr out, const Interval& a);
void magnitude_up(mpfr_ptr out, const Interval& a);
void mignitude_down(mpfr_ptr out, const Interval& a);   // min |x|, rounded down
void midpoint(mpfr_ptr out, const Interval& a);         // some point of a (round to nearest)

// ---- decimal text (INTERFACE.md: lower rounded down, upper rounded up) ----------------------------
std::string decimal_down(mpfr_srcptr x, int digits = 20);
std::string decimal_up(mpfr_srcptr x, int digits = 20);
std::string to_string(const Interval& a, int digits = 20);   // "[lo, hi]" outward
// Parses a decimal literal ("0.1", "-2.5e-3", "7") into an enclosure: exact if representable.
// Throws InputError naming `what` when the text is not a decimal number.
Interval parse_decimal(const std::string& text, Precision prec, const std::string& what = "number");

}  // namespace lpcert
