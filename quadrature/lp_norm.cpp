#include "quadrature/lp_norm.hpp"

#include <cstdlib>

#include "quadrature/errors.hpp"
#include "quadrature/rational_power.hpp"

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

Interval root_outward(const Interval& integral, const Exponent& p, Precision prec) {
    // p = a/b, so x^(1/p) = x^(b/a); a lower end below 0 (an enclosure of a non-negative
    // quantity) is replaced by 0.
    return rational_power_outward(integral, p.denominator(), p.numerator(), prec);
}

Interval power_outward(const Interval& x, const Exponent& p, Precision prec) {
    Interval a(prec);
    abs(a, x);
    return rational_power_outward(a, p.numerator(), p.denominator(), prec);
}

NormEnclosure enclose_lp_norm(const Expression& f, int d, const Exponent& p, const IntegrationOptions& options,
                              Precision prec) {
    f.require_dimension(d);
    // ||abs(h)||_p = ||h||_p: the integrand |h - 0|^p, not |abs(h) - 0|^p, whose inner function
    // abs(h) never shows one sign where h reaches 0 (no sign test, crossing or Taylor form of a
    // branch applies there)
    const bool outer_abs = !f.code().empty() && f.code().back().op == Op::Abs;
    Expression inner = outer_abs ? f.prefix(f.code().back().a) : f;
    if (outer_abs) inner.set_text(f.text());
    const Expression g = deviation_integrand(inner, d, p);
    IntegrationOptions opt = options;
    opt.nonnegative = true;
    std::vector<std::vector<Interval>> params{{Interval(prec)}};
    auto integral = enclose_integral(g, {Piece{Box::unit_cube(d), 0}}, params, opt, prec);
    Interval norm = root_outward(integral.value, p, prec);
    return NormEnclosure{std::move(integral), std::move(norm)};
}

}  // namespace lpcert
