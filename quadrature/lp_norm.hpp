#pragma once
// L^p norms: enclosures of ||f - c||_{L^p(D)} over unions of boxes D, with p a real >= 1 given
// exactly (a decimal literal, kept as a rational a/b).

#include <string>

#include "quadrature/expression.hpp"
#include "quadrature/integration.hpp"

namespace lpcert {

// The exponent p >= 1, exact.
class Exponent {
public:
    // Parses a decimal literal; throws InputError unless it is a number >= 1.
    static Exponent parse(const std::string& text);
    const std::string& text() const { return text_; }
    const RationalConstant& value() const { return value_; }
    bool is_integer() const { return value_.is_integer(); }
    bool is_even_integer() const;
    long numerator() const;     // p = numerator / denominator in lowest terms
    long denominator() const;
    Interval enclose(Precision prec) const;

private:
    Exponent(std::string t, RationalConstant v) : text_(std::move(t)), value_(std::move(v)) {}
    std::string text_;
    RationalConstant value_;
};

// |F|^p as an expression appended to `e`, where F is the slot `f_slot` of e. For even integer p it
// is F^p (smooth everywhere); otherwise |F|^p (smooth where F != 0).
int append_abs_power(Expression& e, int f_slot, const Exponent& p);

// The integrand |f(x) - c|^p with c = parameter 0.
Expression deviation_integrand(const Expression& f, int d, const Exponent& p);
// The integrand |f(x + h) - f(x)|^p with h_i = parameter i (i = 0..d-1).
Expression shift_difference_integrand(const Expression& f, int d, const Exponent& p);
// The signed difference f(x+h) - f(x), h = parameters 0..d-1 (smooth where f is, no |.|).
Expression shift_difference(const Expression& f, int d);

// Outward p-th root of an enclosure of a non-negative quantity: [lo^(1/p) down, hi^(1/p) up],
// computed as rootn(x^b, a) for p = a/b with directed rounding where x^b stays in range, else
// as one correctly rounded mpfr_pow with an outward end of 1/p (always finite).
Interval root_outward(const Interval& integral, const Exponent& p, Precision prec);
// p-th power of an enclosure (of its absolute value), outward; DomainError if it overflows.
Interval power_outward(const Interval& x, const Exponent& p, Precision prec);

struct NormEnclosure {
    IntegralEnclosure integral;   // int |f|^p
    Interval norm;                // (int |f|^p)^(1/p)
};

// ||f||_{L^p([0,1]^d)}.
NormEnclosure enclose_lp_norm(const Expression& f, int d, const Exponent& p, const IntegrationOptions& options,
                              Precision prec);

}  // namespace lpcert
