#include "quadrature/interval.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "quadrature/errors.hpp"

namespace lpcert {

namespace {

// A scratch MPFR value with RAII; precision always explicit.
struct Scratch {
    mpfr_t v;
    explicit Scratch(mpfr_prec_t p) { mpfr_init2(v, p); }
    ~Scratch() { mpfr_clear(v); }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
};

void require_finite(const Interval& r, const char* op) {
    if (!r.is_finite()) {
        throw DomainError(std::string(op) + ": result is unbounded or undefined");
    }
}

}  // namespace

Interval::Interval(Precision prec) {
    mpfi_init2(value_, prec.bits);
    mpfi_set_si(value_, 0);
}

Interval::Interval(long value, Precision prec) : Interval(prec) { mpfi_set_si(raw(), value); }

// The source's precision, set explicitly; mpfi_set is exact at equal precisions.
Interval::Interval(const Interval& other) {
    mpfi_init2(value_, mpfi_get_prec(other.value_));
    mpfi_set(value_, other.value_);
}

// The storage (and with it the precision) is handed over by a swap; `other` is left holding 0
// at its precision, a valid interval.
Interval::Interval(Interval&& other) noexcept {
    mpfi_init2(value_, mpfi_get_prec(other.value_));
    mpfi_swap(value_, other.value_);
    mpfi_set_si(other.value_, 0);
}

Interval& Interval::operator=(const Interval& other) {
    if (this == &other) return *this;
    const mpfr_prec_t prec = mpfi_get_prec(other.value_);
    if (mpfi_get_prec(value_) != prec) mpfi_set_prec(value_, prec);
    mpfi_set(value_, other.value_);
    return *this;
}

Interval& Interval::operator=(Interval&& other) noexcept {
    if (this != &other) mpfi_swap(value_, other.value_);
    return *this;
}

Interval::~Interval() { mpfi_clear(value_); }

void round_into(Interval& out, const Interval& a) { mpfi_set(out.raw(), a.raw()); }

bool Interval::is_point() const { return mpfr_equal_p(lower(), upper()) != 0; }
bool Interval::contains_zero() const { return mpfi_has_zero(raw()) > 0; }

void set_exact_or_outward(Interval& out, mpfr_srcptr x) { mpfi_set_fr(out.raw(), x); }

void set_hull(Interval& out, mpfr_srcptr lo, mpfr_srcptr hi) { mpfi_interv_fr(out.raw(), lo, hi); }

void set_pi(Interval& out) { mpfi_const_pi(out.raw()); }

void set_e(Interval& out) {
    mpfi_set_si(out.raw(), 1);
    mpfi_exp(out.raw(), out.raw());
}

Interval hull(const Interval& a, const Interval& b) {
    Interval out(Precision(std::max(a.precision().bits, b.precision().bits)));
    mpfi_union(out.raw(), a.raw(), b.raw());
    return out;
}

Interval make_interval(mpfr_srcptr lo, mpfr_srcptr hi, Precision prec) {
    Interval out(prec);
    set_hull(out, lo, hi);
    return out;
}

// The header's contract: a result that is unbounded or NaN (an overflow beyond MPFR's exponent
// range, inf - inf) throws DomainError; no infinite end reaches a printed bound.
void add(Interval& out, const Interval& a, const Interval& b) {
    mpfi_add(out.raw(), a.raw(), b.raw());
    require_finite(out, "addition");
}
void sub(Interval& out, const Interval& a, const Interval& b) {
    mpfi_sub(out.raw(), a.raw(), b.raw());
    require_finite(out, "subtraction");
}
void mul(Interval& out, const Interval& a, const Interval& b) {
    mpfi_mul(out.raw(), a.raw(), b.raw());
    require_finite(out, "multiplication");
}

void add_product(Interval& acc, const Interval& a, const Interval& b, Interval& scratch) {
    mpfr_srcptr al = a.lower(), au = a.upper(), bl = b.lower(), bu = b.upper();
    if (!mpfr_number_p(al) || !mpfr_number_p(au) || !mpfr_number_p(bl) || !mpfr_number_p(bu)) {
        mul(scratch, a, b);   // infinite or NaN ends: MPFI's own conventions (0 * inf)
        add(acc, acc, scratch);
        return;
    }
    // scratch's two ends serve as the two products; the sign classes pick which end products
    // bound the product (both factors straddling 0 needs the min and the max of two each)
    mpfr_ptr p = &scratch.raw()->left, q = &scratch.raw()->right;
    mpfr_ptr lo = &acc.raw()->left, hi = &acc.raw()->right;
    const int sal = mpfr_sgn(al), sau = mpfr_sgn(au), sbl = mpfr_sgn(bl), sbu = mpfr_sgn(bu);
    const int ca = sal >= 0 ? 1 : (sau <= 0 ? -1 : 0);   // 1: a >= 0, -1: a <= 0, 0: 0 inside
    const int cb = sbl >= 0 ? 1 : (sbu <= 0 ? -1 : 0);
    if (ca == 0 && cb == 0) {
        mpfr_mul(p, al, bu, MPFR_RNDD);
        mpfr_mul(q, au, bl, MPFR_RNDD);
        mpfr_add(lo, lo, mpfr_less_p(q, p) ? q : p, MPFR_RNDD);
        mpfr_mul(p, al, bl, MPFR_RNDU);
        mpfr_mul(q, au, bu, MPFR_RNDU);
        mpfr_add(hi, hi, mpfr_greater_p(q, p) ? q : p, MPFR_RNDU);
        if (!mpfr_number_p(lo) || !mpfr_number_p(hi)) require_finite(acc, "multiplication");
        return;
    }
    mpfr_srcptr lx, ly, ux, uy;   // lower end = lx * ly, upper end = ux * uy
    if (ca == 1) {
        if (cb == 1) { lx = al; ly = bl; ux = au; uy = bu; }
        else if (cb == -1) { lx = au; ly = bl; ux = al; uy = bu; }
        else { lx = au; ly = bl; ux = au; uy = bu; }
    } else if (ca == -1) {
        if (cb == 1) { lx = al; ly = bu; ux = au; uy = bl; }
        else if (cb == -1) { lx = au; ly = bu; ux = al; uy = bl; }
        else { lx = al; ly = bu; ux = al; uy = bl; }
    } else {
        if (cb == 1) { lx = al; ly = bu; ux = au; uy = bu; }
        else { lx = au; ly = bl; ux = al; uy = bl; }
    }
    mpfr_mul(p, lx, ly, MPFR_RNDD);
    mpfr_mul(q, ux, uy, MPFR_RNDU);
    mpfr_add(lo, lo, p, MPFR_RNDD);
    mpfr_add(hi, hi, q, MPFR_RNDU);
    if (!mpfr_number_p(lo) || !mpfr_number_p(hi)) require_finite(acc, "multiplication");
}

void div(Interval& out, const Interval& a, const Interval& b) {
    if (b.contains_zero()) throw DomainError("division: the divisor's enclosure contains 0");
    mpfi_div(out.raw(), a.raw(), b.raw());
    require_finite(out, "division");
}

void neg(Interval& out, const Interval& a) { mpfi_neg(out.raw(), a.raw()); }
void sqr(Interval& out, const Interval& a) {
    mpfi_sqr(out.raw(), a.raw());
    require_finite(out, "square");
}
void mul_si(Interval& out, const Interval& a, long k) {
    mpfi_mul_si(out.raw(), a.raw(), k);
    require_finite(out, "multiplication");
}
void mul_2si(Interval& out, const Interval& a, long e) {
    mpfi_mul_2si(out.raw(), a.raw(), e);
    require_finite(out, "multiplication by a power of two");
}
void add_si(Interval& out, const Interval& a, long k) {
    mpfi_add_si(out.raw(), a.raw(), k);
    require_finite(out, "addition");
}
void abs(Interval& out, const Interval& a) { mpfi_abs(out.raw(), a.raw()); }

void sqrt(Interval& out, const Interval& a) {
    if (mpfr_sgn(a.lower()) < 0) throw DomainError("sqrt: the argument's enclosure reaches below 0");
    mpfi_sqrt(out.raw(), a.raw());
}

// A point argument takes one correctly rounded mpfr_exp: its return value says on which side of
// the exact value the rounded one lies, and the other directed bound is the neighbouring number
// (exp(0) = 1 is the only exact case), the same two numbers MPFI's two directed calls give.
void exp(Interval& out, const Interval& a) {
    if (mpfr_equal_p(a.lower(), a.upper())) {
        Scratch x(mpfr_get_prec(a.lower()));
        mpfr_set(x.v, a.lower(), MPFR_RNDN);   // same precision: exact (out may be a)
        mpfr_ptr lo = &out.raw()->left, hi = &out.raw()->right;
        const int t = mpfr_exp(lo, x.v, MPFR_RNDN);
        mpfr_set(hi, lo, MPFR_RNDN);   // both ends have out's precision: exact
        if (t > 0) mpfr_nextbelow(lo);
        if (t < 0) mpfr_nextabove(hi);
        require_finite(out, "exp");
        return;
    }
    mpfi_exp(out.raw(), a.raw());
    require_finite(out, "exp");
}

void log(Interval& out, const Interval& a) {
    if (mpfr_sgn(a.lower()) <= 0) throw DomainError("log: the argument's enclosure reaches 0 or below");
    mpfi_log(out.raw(), a.raw());
}

namespace {

// MPFI reduces each end modulo 2 pi at a precision of about the end's binary exponent, a cost
// without bound for huge arguments (sin(1e300000 x1) would take minutes per box). sin and cos
// lie in [-1, 1] everywhere, so an argument that spans a period (width > 7 > 2 pi) or whose
// magnitude exceeds 2^65536 gets that range directly: still an enclosure, just not tightened.
bool beyond_reduction(const Interval& a) {
    if (!a.is_finite()) return true;
    for (mpfr_srcptr end : {a.lower(), a.upper()}) {
        if (!mpfr_zero_p(end) && mpfr_get_exp(end) > 65536) return true;
    }
    Scratch w(32);
    mpfr_sub(w.v, a.upper(), a.lower(), MPFR_RNDD);
    return mpfr_cmp_si(w.v, 7) > 0;
}

// MPFI decides the quadrant of each end at a precision that grows with how close the end is to
// 0: an end like -2^-1000000000 (an underflowed term) would take minutes. Ends closer to 0 than
// 2^-(prec + 64) are moved outward to +-2^-(prec + 64): the enclosure only widens, by far less
// than the result's rounding.
Interval with_tiny_ends_widened(const Interval& a, mpfr_prec_t prec) {
    Interval b = a;
    const mpfr_exp_t floor_exp = -static_cast<mpfr_exp_t>(prec) - 64;
    if (mpfr_regular_p(b.lower()) && mpfr_get_exp(b.lower()) < floor_exp) {
        if (mpfr_sgn(b.lower()) < 0) mpfr_set_si_2exp(&b.raw()->left, -1, floor_exp, MPFR_RNDD);
        else mpfr_set_zero(&b.raw()->left, 1);
    }
    if (mpfr_regular_p(b.upper()) && mpfr_get_exp(b.upper()) < floor_exp) {
        if (mpfr_sgn(b.upper()) > 0) mpfr_set_si_2exp(&b.raw()->right, 1, floor_exp, MPFR_RNDU);
        else mpfr_set_zero(&b.raw()->right, -1);
    }
    return b;
}

}  // namespace

// sin and cos of an argument [lo, hi] narrower than 3 (< pi), from one mpfr_sin_cos per end (a
// point: one call), where MPFI's sin and cos each reduce both ends into quadrants: 3-4x fewer
// MPFR calls on the Taylor series' arguments. MPFR rounds correctly and says in its return value
// on which side of the exact result each rounded value lies, so the other side is one ulp away.
// Shape: on an interval narrower than pi, cos has at most one zero (they are pi apart), so equal
// signs of cos at both ends mean sin is monotone on it, and opposite signs mean one extremum of
// sin, +-1, in between; the same for cos with the signs of sin (sin vanishes at lo = 0 exactly,
// and at no other representable number; its next zero is pi away). A sign is read from the
// directed ends: undecided (cannot happen for a correctly rounded nonzero value, but checked)
// returns false, and the caller takes MPFI's general path. s or c may be null (not wanted); the
// other function's values are then computed at 32 bits, only for their signs.
namespace {

struct EndValues {
    Scratch s_lo, s_hi, c_lo, c_hi;
    int s_sign = 0, c_sign = 0;
    EndValues(mpfr_prec_t ps, mpfr_prec_t pc) : s_lo(ps), s_hi(ps), c_lo(pc), c_hi(pc) {}
    // false when a sign is undecided
    bool compute(mpfr_srcptr x) {
        const int t = mpfr_sin_cos(s_lo.v, c_lo.v, x, MPFR_RNDN);
        mpfr_set(s_hi.v, s_lo.v, MPFR_RNDN);   // same precision: exact
        mpfr_set(c_hi.v, c_lo.v, MPFR_RNDN);
        // t = ts + 4 tc; 1: the rounded value is above the exact one, 2: below, 0: exact
        const int ts = t & 3, tc = (t >> 2) & 3;
        if (ts == 1) mpfr_nextbelow(s_lo.v);
        if (ts == 2) mpfr_nextabove(s_hi.v);
        if (tc == 1) mpfr_nextbelow(c_lo.v);
        if (tc == 2) mpfr_nextabove(c_hi.v);
        if (mpfr_zero_p(x)) s_sign = 0;   // sin(0) = 0 exactly
        else if (mpfr_sgn(s_lo.v) > 0) s_sign = 1;
        else if (mpfr_sgn(s_hi.v) < 0) s_sign = -1;
        else return false;
        if (mpfr_sgn(c_lo.v) > 0) c_sign = 1;
        else if (mpfr_sgn(c_hi.v) < 0) c_sign = -1;
        else return false;
        return true;
    }
};

bool sin_cos_narrow(Interval* s, Interval* c, const Interval& a) {
    Scratch w(32);
    mpfr_sub(w.v, a.upper(), a.lower(), MPFR_RNDU);
    if (!(mpfr_cmp_si(w.v, 3) <= 0)) return false;
    const mpfr_prec_t ps = s ? mpfi_get_prec(s->raw()) : 32, pc = c ? mpfi_get_prec(c->raw()) : 32;
    EndValues lo(ps, pc);
    if (!lo.compute(a.lower())) return false;
    if (mpfr_equal_p(a.lower(), a.upper())) {
        if (s) {
            mpfr_set(&s->raw()->left, lo.s_lo.v, MPFR_RNDD);
            mpfr_set(&s->raw()->right, lo.s_hi.v, MPFR_RNDU);
        }
        if (c) {
            mpfr_set(&c->raw()->left, lo.c_lo.v, MPFR_RNDD);
            mpfr_set(&c->raw()->right, lo.c_hi.v, MPFR_RNDU);
        }
        return true;
    }
    EndValues hi(ps, pc);
    if (!hi.compute(a.upper())) return false;
    if (s) {
        mpfr_ptr l = &s->raw()->left, u = &s->raw()->right;
        if (lo.c_sign > 0 && hi.c_sign > 0) {            // sin increasing
            mpfr_set(l, lo.s_lo.v, MPFR_RNDD);
            mpfr_set(u, hi.s_hi.v, MPFR_RNDU);
        } else if (lo.c_sign < 0 && hi.c_sign < 0) {     // sin decreasing
            mpfr_set(l, hi.s_lo.v, MPFR_RNDD);
            mpfr_set(u, lo.s_hi.v, MPFR_RNDU);
        } else if (lo.c_sign > 0) {                      // a maximum, 1, inside
            mpfr_min(l, lo.s_lo.v, hi.s_lo.v, MPFR_RNDD);
            mpfr_set_si(u, 1, MPFR_RNDU);
        } else {                                         // a minimum, -1, inside
            mpfr_set_si(l, -1, MPFR_RNDD);
            mpfr_max(u, lo.s_hi.v, hi.s_hi.v, MPFR_RNDU);
        }
    }
    if (c) {
        mpfr_ptr l = &c->raw()->left, u = &c->raw()->right;
        if (lo.s_sign >= 0 && hi.s_sign >= 0) {          // cos decreasing (-sin <= 0)
            mpfr_set(l, hi.c_lo.v, MPFR_RNDD);
            mpfr_set(u, lo.c_hi.v, MPFR_RNDU);
        } else if (lo.s_sign <= 0 && hi.s_sign <= 0) {   // cos increasing
            mpfr_set(l, lo.c_lo.v, MPFR_RNDD);
            mpfr_set(u, hi.c_hi.v, MPFR_RNDU);
        } else if (lo.s_sign > 0) {                      // through pi: a minimum, -1, inside
            mpfr_set_si(l, -1, MPFR_RNDD);
            mpfr_max(u, lo.c_hi.v, hi.c_hi.v, MPFR_RNDU);
        } else {                                         // through 0: a maximum, 1, inside
            mpfr_min(l, lo.c_lo.v, hi.c_lo.v, MPFR_RNDD);
            mpfr_set_si(u, 1, MPFR_RNDU);
        }
    }
    return true;
}

bool has_tiny_end(const Interval& a, mpfr_prec_t prec) {
    const mpfr_exp_t floor_exp = -static_cast<mpfr_exp_t>(prec) - 64;
    return (mpfr_regular_p(a.lower()) && mpfr_get_exp(a.lower()) < floor_exp) ||
           (mpfr_regular_p(a.upper()) && mpfr_get_exp(a.upper()) < floor_exp);
}

// sin and/or cos (null: not wanted) by the narrow path, else MPFI's.
void sin_cos_into(Interval* s, Interval* c, const Interval& a) {
    if (beyond_reduction(a)) {
        if (s) mpfi_interv_si(s->raw(), -1, 1);
        if (c) mpfi_interv_si(c->raw(), -1, 1);
        return;
    }
    const mpfr_prec_t prec = std::max(s ? mpfi_get_prec(s->raw()) : 2, c ? mpfi_get_prec(c->raw()) : 2);
    if (has_tiny_end(a, prec)) {
        const Interval b = with_tiny_ends_widened(a, prec);
        if (sin_cos_narrow(s, c, b)) return;
        if (s) mpfi_sin(s->raw(), b.raw());
        if (c) mpfi_cos(c->raw(), b.raw());
        return;
    }
    if (&a == s || &a == c) {   // aliasing: the ends are read after the first result is written
        const Interval copy = a;
        sin_cos_into(s, c, copy);
        return;
    }
    if (sin_cos_narrow(s, c, a)) return;
    if (s) mpfi_sin(s->raw(), a.raw());
    if (c) mpfi_cos(c->raw(), a.raw());
}

}  // namespace

void sin(Interval& out, const Interval& a) { sin_cos_into(&out, nullptr, a); }

void cos(Interval& out, const Interval& a) { sin_cos_into(nullptr, &out, a); }

void sin_cos(Interval& s, Interval& c, const Interval& a) { sin_cos_into(&s, &c, a); }

void tan(Interval& out, const Interval& a) {
    // a period contains poles; a huge argument cannot be reduced at a bounded cost
    if (beyond_reduction(a)) throw DomainError("tan: the argument's enclosure spans a pole or is beyond 2^65536");
    // cos certainly nonzero <=> no pole of tan in a.
    const Interval b = with_tiny_ends_widened(a, mpfi_get_prec(out.raw()));
    Interval c(out.precision());
    mpfi_cos(c.raw(), b.raw());
    if (c.contains_zero()) throw DomainError("tan: the argument's enclosure contains a pole");
    mpfi_tan(out.raw(), b.raw());
    require_finite(out, "tan");
}

void atan(Interval& out, const Interval& a) { mpfi_atan(out.raw(), a.raw()); }
// tanh is increasing, and for |x| >= T = prec + 2 it is within 2 e^(-2T) < 2^-prec of +-1: such an
// end gets +-1, or its neighbour toward 0 where the rounding direction needs it, directly (MPFR's
// tanh of a huge argument works at a precision that grows with the exponent: minutes at 2^100000).
void tanh(Interval& out, const Interval& a) {
    const mpfr_prec_t prec = mpfi_get_prec(out.raw());
    Scratch T(64), lo(prec), hi(prec);
    mpfr_set_si(T.v, prec + 2, MPFR_RNDU);
    auto end = [&](mpfr_ptr r, mpfr_srcptr x, mpfr_rnd_t rnd) {
        if (mpfr_nan_p(x) || mpfr_cmpabs(x, T.v) < 0) {
            mpfr_tanh(r, x, rnd);
            return;
        }
        const int s = mpfr_sgn(x);
        mpfr_set_si(r, s, rnd);
        if (s > 0 && rnd == MPFR_RNDD) mpfr_nextbelow(r);   // tanh(x) >= 1 - 2^-prec
        if (s < 0 && rnd == MPFR_RNDU) mpfr_nextabove(r);   // tanh(x) <= -1 + 2^-prec
    };
    end(lo.v, a.lower(), MPFR_RNDD);
    end(hi.v, a.upper(), MPFR_RNDU);
    mpfi_interv_fr(out.raw(), lo.v, hi.v);
    require_finite(out, "tanh");
}

void floor(Interval& out, const Interval& a) {
    // floor is monotone; each end rounded in its own direction when the integer does not fit.
    Scratch lo(mpfi_get_prec(out.raw())), hi(mpfi_get_prec(out.raw()));
    mpfr_rint_floor(lo.v, a.lower(), MPFR_RNDD);
    mpfr_rint_floor(hi.v, a.upper(), MPFR_RNDU);
    mpfi_interv_fr(out.raw(), lo.v, hi.v);
}

void min(Interval& out, const Interval& a, const Interval& b) {
    Scratch lo(mpfi_get_prec(out.raw())), hi(mpfi_get_prec(out.raw()));
    mpfr_min(lo.v, a.lower(), b.lower(), MPFR_RNDD);
    mpfr_min(hi.v, a.upper(), b.upper(), MPFR_RNDU);
    mpfi_interv_fr(out.raw(), lo.v, hi.v);
}

void max(Interval& out, const Interval& a, const Interval& b) {
    Scratch lo(mpfi_get_prec(out.raw())), hi(mpfi_get_prec(out.raw()));
    mpfr_max(lo.v, a.lower(), b.lower(), MPFR_RNDD);
    mpfr_max(hi.v, a.upper(), b.upper(), MPFR_RNDU);
    mpfi_interv_fr(out.raw(), lo.v, hi.v);
}

void pow_int(Interval& out, const Interval& a, long n) {
    if (n == 0) {
        mpfi_set_si(out.raw(), 1);
        return;
    }
    if (n < 0) {
        if (a.contains_zero()) throw DomainError("power: negative exponent of an enclosure containing 0");
        Interval p(out.precision());
        pow_int(p, a, -n);
        mpfi_si_div(out.raw(), 1, p.raw());
        require_finite(out, "power");
        return;
    }
    // x^n is monotone on each sign; take the ends in their own rounding directions.
    const mpfr_prec_t prec = mpfi_get_prec(out.raw());
    Scratch lo(prec), hi(prec);
    const bool even = (n % 2) == 0;
    if (!even || mpfr_sgn(a.lower()) >= 0) {
        mpfr_pow_si(lo.v, a.lower(), n, MPFR_RNDD);
        mpfr_pow_si(hi.v, a.upper(), n, MPFR_RNDU);
    } else if (mpfr_sgn(a.upper()) <= 0) {
        mpfr_pow_si(lo.v, a.upper(), n, MPFR_RNDD);
        mpfr_pow_si(hi.v, a.lower(), n, MPFR_RNDU);
    } else {
        Scratch m(prec);
        mpfr_set_zero(lo.v, 1);
        mpfr_pow_si(hi.v, a.lower(), n, MPFR_RNDU);
        mpfr_pow_si(m.v, a.upper(), n, MPFR_RNDU);
        mpfr_max(hi.v, hi.v, m.v, MPFR_RNDU);
    }
    mpfi_interv_fr(out.raw(), lo.v, hi.v);
    require_finite(out, "power");
}

void pow_real(Interval& out, const Interval& a, const Interval& y) {
    if (mpfr_sgn(a.lower()) < 0) throw DomainError("power: a real power of a base reaching below 0");
    const mpfr_prec_t prec = mpfi_get_prec(out.raw());
    if (certainly_positive(y)) {
        // For t > 0, x -> x^t is increasing on [0, inf) (0^t = 0), and t -> x^t is monotone for
        // each x (increasing for x >= 1, decreasing for x <= 1): over a in [al, au], y in [yl, yu]
        // the minimum is al^yl or al^yu and the maximum au^yl or au^yu, each rounded in its own
        // direction. A non-dyadic exponent (p = 1.1 = 11/10) is an interval of positive width,
        // not a point: it must not be treated as possibly <= 0 (issue 13).
        Scratch lo(prec), hi(prec);
        mpfr_pow(lo.v, a.lower(), y.lower(), MPFR_RNDD);
        mpfr_pow(hi.v, a.upper(), y.lower(), MPFR_RNDU);
        if (!y.is_point()) {
            Scratch t(prec);
            mpfr_pow(t.v, a.lower(), y.upper(), MPFR_RNDD);
            mpfr_min(lo.v, lo.v, t.v, MPFR_RNDD);
            mpfr_pow(t.v, a.upper(), y.upper(), MPFR_RNDU);
            mpfr_max(hi.v, hi.v, t.v, MPFR_RNDU);
        }
        mpfi_interv_fr(out.raw(), lo.v, hi.v);
    } else {
        if (mpfr_sgn(a.lower()) <= 0) throw DomainError("power: a base reaching 0 with an exponent that may be <= 0");
        Interval l{Precision(prec)};
        mpfi_log(l.raw(), a.raw());
        mpfi_mul(l.raw(), l.raw(), y.raw());
        mpfi_exp(out.raw(), l.raw());
    }
    require_finite(out, "power");
}

void intersect_with(Interval& out, const Interval& other) {
    mpfi_intersect(out.raw(), out.raw(), other.raw());
    if (mpfi_is_empty(out.raw())) throw std::logic_error("intersect_with: disjoint enclosures of one value");
}

bool certainly_positive(const Interval& a) { return mpfr_sgn(a.lower()) > 0; }
bool certainly_negative(const Interval& a) { return mpfr_sgn(a.upper()) < 0; }
bool certainly_nonnegative(const Interval& a) { return mpfr_sgn(a.lower()) >= 0; }
bool certainly_less(const Interval& a, const Interval& b) { return mpfr_less_p(a.upper(), b.lower()) != 0; }
bool certainly_less_equal(const Interval& a, const Interval& b) {
    return mpfr_lessequal_p(a.upper(), b.lower()) != 0;
}
bool possibly_less_equal(const Interval& a, const Interval& b) {
    return mpfr_lessequal_p(a.lower(), b.upper()) != 0;
}
bool overlaps(const Interval& a, const Interval& b) {
    return mpfr_lessequal_p(a.lower(), b.upper()) != 0 && mpfr_lessequal_p(b.lower(), a.upper()) != 0;
}
bool contains(const Interval& outer, const Interval& inner) {
    return mpfr_lessequal_p(outer.lower(), inner.lower()) != 0 && mpfr_lessequal_p(inner.upper(), outer.upper()) != 0;
}
bool contains_point(const Interval& a, mpfr_srcptr x) {
    return mpfr_lessequal_p(a.lower(), x) != 0 && mpfr_lessequal_p(x, a.upper()) != 0;
}

void width_up(mpfr_ptr out, const Interval& a) { mpfr_sub(out, a.upper(), a.lower(), MPFR_RNDU); }

void magnitude_up(mpfr_ptr out, const Interval& a) {
    Scratch l(mpfr_get_prec(out));
    mpfr_abs(l.v, a.lower(), MPFR_RNDU);
    mpfr_abs(out, a.upper(), MPFR_RNDU);
    mpfr_max(out, out, l.v, MPFR_RNDU);
}

void mignitude_down(mpfr_ptr out, const Interval& a) {
    if (a.contains_zero()) {
        mpfr_set_zero(out, 1);
    } else if (mpfr_sgn(a.lower()) > 0) {
        mpfr_set(out, a.lower(), MPFR_RNDD);
    } else {
        mpfr_neg(out, a.upper(), MPFR_RNDD);
    }
}

void midpoint(mpfr_ptr out, const Interval& a) { mpfi_mid(out, a.raw()); }

namespace {

// MPFR's digit string rounded in direction rnd, written as d.ddd...e+X with trailing zeros
// removed (removing them does not change the value).
std::string decimal(mpfr_srcptr x, int digits, mpfr_rnd_t rnd) {
    if (mpfr_nan_p(x)) return "nan";
    if (mpfr_inf_p(x)) return mpfr_sgn(x) > 0 ? "inf" : "-inf";
    if (mpfr_zero_p(x)) return "0";
    mpfr_exp_t e = 0;
    std::unique_ptr<char, void (*)(char*)> s(mpfr_get_str(nullptr, &e, 10, static_cast<size_t>(digits), x, rnd),
                                             mpfr_free_str);
    std::string m(s.get());
    std::string sign;
    if (m[0] == '-') {
        sign = "-";
        m.erase(0, 1);
    }
    while (m.size() > 1 && m.back() == '0') m.pop_back();
    std::string out = sign + m.substr(0, 1);
    if (m.size() > 1) out += "." + m.substr(1);
    const long exponent = static_cast<long>(e) - 1;
    if (exponent != 0) out += "e" + std::to_string(exponent);
    return out;
}

bool is_decimal_literal(const std::string& t) {
    size_t i = 0, n = t.size();
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    size_t digits = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
    if (i < n && t[i] == '.') {
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
        size_t exp_digits = 0;
        while (i < n && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++exp_digits;
        // Exponents beyond 9 digits would overflow MPFR's parser: they are not numbers we accept.
        if (exp_digits == 0 || exp_digits > 9) return false;
    }
    return i == n;
}

}  // namespace

std::string decimal_down(mpfr_srcptr x, int digits) { return decimal(x, digits, MPFR_RNDD); }
std::string decimal_up(mpfr_srcptr x, int digits) { return decimal(x, digits, MPFR_RNDU); }

std::string to_string(const Interval& a, int digits) {
    return "[" + decimal_down(a.lower(), digits) + ", " + decimal_up(a.upper(), digits) + "]";
}

Interval parse_decimal(const std::string& text, Precision prec, const std::string& what) {
    if (!is_decimal_literal(text)) throw InputError(what + ": '" + text + "' is not a decimal number");
    Scratch lo(prec.bits), hi(prec.bits);
    mpfr_set_str(lo.v, text.c_str(), 10, MPFR_RNDD);
    mpfr_set_str(hi.v, text.c_str(), 10, MPFR_RNDU);
    Interval out(prec);
    set_hull(out, lo.v, hi.v);
    if (!out.is_finite()) throw InputError(what + ": '" + text + "' is out of range");
    return out;
}

}  // namespace lpcert
