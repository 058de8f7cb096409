#include "quadrature/lp_norm.hpp"

#include <cstdlib>

#include "quadrature/errors.hpp"

namespace lpcert {

Exponent Exponent::parse(const std::string& text) {
    const Interval check = parse_decimal(text, Precision(64), "--p");   // validates the literal
    (void)check;
    RationalConstant v(text[0] == '+' ? text.substr(1) : text);
    if (text[0] == '-' || mpq_cmp_ui(v.value(), 1, 1) < 0) throw InputError("--p: p = " + text + " must be >= 1");
    if (mpz_sizeinbase(mpq_numref(v.value()), 2) > 40 || mpz_sizeinbase(mpq_denref(v.value()), 2) > 40) {
        throw InputError("--p: p = " + text + " has too many digits (numerator and denominator below 2^40)");
    }
    return Exponent(text, v);
}

bool Exponent::is_even_integer() const { return is_integer() && mpz_even_p(mpq_numref(value_.value())); }
long Exponent::numerator() const { return mpz_get_si(mpq_numref(value_.value())); }
long Exponent::denominator() const { return mpz_get_si(mpq_denref(value_.value())); }

Interval Exponent::enclose(Precision prec) const {
    Interval out(prec);
    mpfi_set_q(out.raw(), value_.value());
    return out;
}

int append_abs_power(Expression& e, int f_slot, const Exponent& p) {
    if (p.is_even_integer()) return e.append({Op::PowInt, f_slot, -1, p.numerator()});
    const int a = e.append({Op::Abs, f_slot});
    if (p.is_integer()) return e.append({Op::PowInt, a, -1, p.numerator()});
    const int c = e.append_constant(p.value());
    return e.append({Op::PowReal, a, -1, e.code()[static_cast<size_t>(c)].index});
}

Expression deviation_integrand(const Expression& f, int d, const Exponent& p) {
    Expression g;
    std::vector<int> vars;
    for (int i = 0; i < d; ++i) vars.push_back(g.append({Op::Variable, -1, -1, i}));
    const int first = static_cast<int>(g.code().size());
    const int fx = f.code().empty() ? g.append_constant(RationalConstant("0")) : g.inline_expression(f, vars);
    if (!f.code().empty()) g.mark_subject_copy(f.text(), first, fx, false);
    const int c = g.append_parameter(0);
    const int diff = g.append({Op::Sub, fx, c});
    append_abs_power(g, diff, p);
    g.set_text("|" + f.text() + " - c|^" + p.text());
    return g;
}

namespace {

// f(x + h) - f(x) appended to g, h = parameters 0..d-1; returns its slot.
int append_shift_difference(Expression& g, const Expression& f, int d) {
    std::vector<int> vars, shifted;
    for (int i = 0; i < d; ++i) vars.push_back(g.append({Op::Variable, -1, -1, i}));
    for (int i = 0; i < d; ++i) shifted.push_back(g.append({Op::Add, vars[static_cast<size_t>(i)], g.append_parameter(i)}));
    const int first_shifted = static_cast<int>(g.code().size());
    const int fxh = g.inline_expression(f, shifted);
    g.mark_subject_copy(f.text(), first_shifted, fxh, true);
    const int first = static_cast<int>(g.code().size());
    const int fx = g.inline_expression(f, vars);
    g.mark_subject_copy(f.text(), first, fx, false);
    return g.append({Op::Sub, fxh, fx});
}

}  // namespace

Expression shift_difference_integrand(const Expression& f, int d, const Exponent& p) {
    Expression g;
    append_abs_power(g, append_shift_difference(g, f, d), p);
    g.set_text("|f(x+h) - f(x)|^" + p.text() + " for f = " + f.text());
    return g;
}

Expression shift_difference(const Expression& f, int d) {
    Expression g;
    append_shift_difference(g, f, d);
    g.set_text("f(x+h) - f(x) for f = " + f.text());
    return g;
}

namespace {

// x^(b/a) for x >= 0 and integers a, b >= 1, rounded in direction rnd (down or up); finite.
//
// Exact path (the first versions' results, bit for bit): x^b then the a-th root, each rounded in
// rnd's direction (both maps are increasing, so the composition is a bound in that direction).
// It is used only where x^b stays far inside MPFR's exponent range and the root is cheap. With p
// close to 1 (p = 1.000000001 = 1000000001/1000000000) x^b overflows to +inf (or underflows to 0)
// at once; there x^(b/a) is mpfr_pow(x, t) with t the end of an outward enclosure of b/a chosen
// so that the power moves in rnd's direction (t -> x^t increases for x >= 1, decreases for
// x < 1), one correctly rounded operation, whose result is at most x's magnitude to the
// power b/a: finite for a root (b/a <= 1), and for a power checked below.
void rational_power_endpoint(mpfr_ptr out, mpfr_srcptr x, long a, long b, mpfr_rnd_t rnd) {
    if (mpfr_nan_p(x) || mpfr_inf_p(x)) throw DomainError("p-th power or root of an unbounded enclosure");
    if (mpfr_sgn(x) <= 0) {
        mpfr_set_zero(out, 1);
        return;
    }
    const long x_exp = std::labs(static_cast<long>(mpfr_get_exp(x)));
    const bool exact_path = a <= (1L << 16) && b <= (1L << 16) && x_exp <= (1L << 20) / b;
    if (exact_path) {
        mpfr_pow_si(out, x, b, rnd);
        mpfr_rootn_ui(out, out, static_cast<unsigned long>(a), rnd);
    } else {
        const mpfr_prec_t guard = mpfr_get_prec(out) + 64;
        mpq_t q;
        mpq_init(q);
        mpq_set_si(q, b, static_cast<unsigned long>(a));
        mpq_canonicalize(q);
        mpfr_t t;
        mpfr_init2(t, guard);
        // rounding down the result: the smaller power, i.e. t rounded down if x >= 1, up if x < 1
        const bool x_at_least_one = mpfr_cmp_ui(x, 1) >= 0;
        const bool want_down = rnd == MPFR_RNDD;
        mpfr_set_q(t, q, (x_at_least_one == want_down) ? MPFR_RNDD : MPFR_RNDU);
        mpfr_pow(out, x, t, rnd);
        mpfr_clear(t);
        mpq_clear(q);
    }
    // rounding down never gives +inf (MPFR returns the largest finite number); rounding up
    // overflows to +inf only for a power of a number near the top of the exponent range
    if (!mpfr_number_p(out)) throw DomainError("p-th power: the result is beyond the exponent range");
}

}  // namespace

Interval root_outward(const Interval& integral, const Exponent& p, Precision prec) {
    mpfr_t lo, hi;
    mpfr_init2(lo, prec.bits);
    mpfr_init2(hi, prec.bits);
    // p = a/b, so x^(1/p) = x^(b/a); a lower end below 0 (an enclosure of a non-negative
    // quantity) is replaced by 0.
    try {
        rational_power_endpoint(lo, integral.lower(), p.numerator(), p.denominator(), MPFR_RNDD);
        rational_power_endpoint(hi, integral.upper(), p.numerator(), p.denominator(), MPFR_RNDU);
    } catch (...) {
        mpfr_clear(lo);
        mpfr_clear(hi);
        throw;
    }
    Interval out(prec);
    set_hull(out, lo, hi);
    mpfr_clear(lo);
    mpfr_clear(hi);
    return out;
}

Interval power_outward(const Interval& x, const Exponent& p, Precision prec) {
    // |x|^(a/b), each end rounded in its own direction.
    Interval a(prec);
    abs(a, x);
    mpfr_t lo, hi;
    mpfr_init2(lo, prec.bits);
    mpfr_init2(hi, prec.bits);
    try {
        rational_power_endpoint(lo, a.lower(), p.denominator(), p.numerator(), MPFR_RNDD);
        rational_power_endpoint(hi, a.upper(), p.denominator(), p.numerator(), MPFR_RNDU);
    } catch (...) {
        mpfr_clear(lo);
        mpfr_clear(hi);
        throw;
    }
    Interval out(prec);
    set_hull(out, lo, hi);
    mpfr_clear(lo);
    mpfr_clear(hi);
    return out;
}

NormEnclosure enclose_lp_norm(const Expression& f, int d, const Exponent& p, const IntegrationOptions& options,
                              Precision prec) {
    f.require_dimension(d);
    const Expression g = deviation_integrand(f, d, p);
    IntegrationOptions opt = options;
    opt.nonnegative = true;
    std::vector<std::vector<Interval>> params{{Interval(prec)}};
    auto integral = enclose_integral(g, {Piece{Box::unit_cube(d), 0}}, params, opt, prec);
    Interval norm = root_outward(integral.value, p, prec);
    return NormEnclosure{std::move(integral), std::move(norm)};
}

}  // namespace lpcert
