#include "quadrature/dyadic.hpp"

#include <cctype>
#include <limits>

#include "quadrature/errors.hpp"

namespace lpcert {

using boost::multiprecision::mpz_int;

Dyadic::Dyadic(long integer) : mantissa_(integer), exponent_(0) { canonicalize(); }

Dyadic::Dyadic(mpz_int mantissa, long exponent) : mantissa_(std::move(mantissa)), exponent_(exponent) {
    canonicalize();
}

void Dyadic::canonicalize() {
    if (mantissa_ == 0) {
        exponent_ = 0;
        return;
    }
    const auto zeros = mpz_scan1(mantissa_.backend().data(), 0);
    if (zeros > 0) {
        mpz_tdiv_q_2exp(mantissa_.backend().data(), mantissa_.backend().data(), zeros);
        exponent_ += static_cast<long>(zeros);
    }
}

long Dyadic::mantissa_bits() const {
    return mantissa_ == 0 ? 0 : static_cast<long>(mpz_sizeinbase(mantissa_.backend().data(), 2));
}

namespace {

// Parses an optionally signed decimal integer occupying all of t; returns false otherwise.
bool parse_integer(const std::string& t, mpz_int& out) {
    size_t i = (!t.empty() && (t[0] == '-' || t[0] == '+')) ? 1 : 0;
    if (i == t.size()) return false;
    for (size_t k = i; k < t.size(); ++k)
        if (!std::isdigit(static_cast<unsigned char>(t[k]))) return false;
    const std::string digits = t[0] == '+' ? t.substr(1) : t;
    return mpz_set_str(out.backend().data(), digits.c_str(), 10) == 0;
}

}  // namespace

Dyadic Dyadic::parse(const std::string& text, const std::string& what) {
    const auto star = text.find('*');
    mpz_int m;
    long e = 0;
    std::string head = star == std::string::npos ? text : text.substr(0, star);
    if (!parse_integer(head, m)) {
        throw InputError(what + ": '" + text + "' is not an exact dyadic (expected \"M\" or \"M*2^E\")");
    }
    if (star != std::string::npos) {
        const std::string tail = text.substr(star + 1);
        mpz_int ez;
        if (tail.rfind("2^", 0) != 0 || !parse_integer(tail.substr(2), ez)) {
            throw InputError(what + ": '" + text + "' is not an exact dyadic (expected \"M*2^E\")");
        }
        // Exponents are bounded so that every shift stays far from overflow.
        if (boost::multiprecision::abs(ez) > mpz_int(1) << 40) throw InputError(what + ": exponent of '" + text + "' is too large");
        e = ez.convert_to<long>();
    }
    return Dyadic(std::move(m), e);
}

Dyadic Dyadic::from_mpfr(mpfr_srcptr x) {
    if (!mpfr_number_p(x)) throw std::logic_error("Dyadic::from_mpfr: not a finite number");
    if (mpfr_zero_p(x)) return Dyadic();
    mpz_int m;
    const mpfr_exp_t e = mpfr_get_z_2exp(m.backend().data(), x);
    return Dyadic(std::move(m), static_cast<long>(e));
}

std::string Dyadic::to_string() const {
    std::string m = mantissa_.str();
    return exponent_ == 0 ? m : m + "*2^" + std::to_string(exponent_);
}

Interval Dyadic::to_interval(Precision prec) const {
    Interval out(prec);
    mpfi_set_z(out.raw(), mantissa_.backend().data());
    mpfi_mul_2si(out.raw(), out.raw(), exponent_);
    return out;
}

int Dyadic::to_mpfr(mpfr_ptr out, mpfr_rnd_t rnd) const {
    const int t = mpfr_set_z_2exp(out, mantissa_.backend().data(), exponent_, rnd);
    return t;
}

void Dyadic::to_mpq(mpq_t out) const {
    mpq_set_z(out, mantissa_.backend().data());
    if (exponent_ >= 0) {
        mpq_mul_2exp(out, out, static_cast<mp_bitcnt_t>(exponent_));
    } else {
        mpq_div_2exp(out, out, static_cast<mp_bitcnt_t>(-exponent_));
    }
}

Dyadic operator+(const Dyadic& a, const Dyadic& b) {
    if (a.is_zero()) return b;
    if (b.is_zero()) return a;
    const long e = std::min(a.exponent_, b.exponent_);
    mpz_int ma = a.mantissa_ << static_cast<unsigned long>(a.exponent_ - e);
    mpz_int mb = b.mantissa_ << static_cast<unsigned long>(b.exponent_ - e);
    return Dyadic(ma + mb, e);
}

Dyadic operator-(const Dyadic& a, const Dyadic& b) { return a + (-b); }

Dyadic operator*(const Dyadic& a, const Dyadic& b) {
    return Dyadic(a.mantissa_ * b.mantissa_, a.exponent_ + b.exponent_);
}

bool operator<(const Dyadic& a, const Dyadic& b) { return (a - b).sign() < 0; }

mpz_int Dyadic::floor() const {
    if (exponent_ >= 0) return mantissa_ << static_cast<unsigned long>(exponent_);
    mpz_int q;
    mpz_fdiv_q_2exp(q.backend().data(), mantissa_.backend().data(), static_cast<mp_bitcnt_t>(-exponent_));
    return q;
}

}  // namespace lpcert
