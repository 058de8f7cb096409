#include "quadrature/evaluation.hpp"

#include "quadrature/box.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/tape_runner.hpp"

namespace lpcert {

namespace {

struct PointDomain {
    using Value = Real;
    const std::vector<Real>& x;
    const std::vector<Real>& params;
    const std::vector<Real>& constants;
    Op current = Op::Constant;
    int current_slot = -1;

    void variable(Real& out, long i) { mpfr_set(out.raw(), x.at(static_cast<size_t>(i)).raw(), MPFR_RNDN); }
    void parameter(Real& out, long i) { mpfr_set(out.raw(), params.at(static_cast<size_t>(i)).raw(), MPFR_RNDN); }
    void constant(Real& out, long i) { mpfr_set(out.raw(), constants[static_cast<size_t>(i)].raw(), MPFR_RNDN); }
    void pi(Real& out) { mpfr_const_pi(out.raw(), MPFR_RNDN); }
    void euler(Real& out) {
        mpfr_set_ui(out.raw(), 1, MPFR_RNDN);
        mpfr_exp(out.raw(), out.raw(), MPFR_RNDN);
    }
    void add(Real& o, const Real& a, const Real& b) { mpfr_add(o.raw(), a.raw(), b.raw(), MPFR_RNDN); }
    void sub(Real& o, const Real& a, const Real& b) { mpfr_sub(o.raw(), a.raw(), b.raw(), MPFR_RNDN); }
    void mul(Real& o, const Real& a, const Real& b) { mpfr_mul(o.raw(), a.raw(), b.raw(), MPFR_RNDN); }
    bool div(Real& o, const Real& a, const Real& b) {
        mpfr_div(o.raw(), a.raw(), b.raw(), MPFR_RNDN);
        return true;
    }
    void neg(Real& o, const Real& a) { mpfr_neg(o.raw(), a.raw(), MPFR_RNDN); }
    bool pow_int(Real& o, const Real& a, long n) {
        mpfr_pow_si(o.raw(), a.raw(), n, MPFR_RNDN);
        return true;
    }
    bool pow_real(Real& o, const Real& a, long c) {
        if (mpfr_sgn(a.raw()) < 0) {
            mpfr_set_nan(o.raw());
        } else {
            mpfr_pow(o.raw(), a.raw(), constants[static_cast<size_t>(c)].raw(), MPFR_RNDN);
        }
        return true;
    }
    bool min_max(Real& o, const Real& a, const Real& b, bool is_max) {
        if (is_max) {
            mpfr_max(o.raw(), a.raw(), b.raw(), MPFR_RNDN);
        } else {
            mpfr_min(o.raw(), a.raw(), b.raw(), MPFR_RNDN);
        }
        return true;
    }
    bool unary(Real& o, Op op, const Real& a) {
        mpfr_ptr r = o.raw();
        mpfr_srcptr v = a.raw();
        // trigonometric argument reduction costs about the argument's exponent in bits: beyond
        // 2^65536 the point value is reported undefined (NaN) rather than computed for minutes
        const bool trig = op == Op::Sin || op == Op::Cos || op == Op::Tan;
        if (trig && mpfr_regular_p(v) && mpfr_get_exp(v) > 65536) {
            mpfr_set_nan(r);
            return true;
        }
        switch (op) {
            case Op::Sin: mpfr_sin(r, v, MPFR_RNDN); break;
            case Op::Cos: mpfr_cos(r, v, MPFR_RNDN); break;
            case Op::Tan: mpfr_tan(r, v, MPFR_RNDN); break;
            case Op::Exp: mpfr_exp(r, v, MPFR_RNDN); break;
            case Op::Log: mpfr_log(r, v, MPFR_RNDN); break;
            case Op::Sqrt: mpfr_sqrt(r, v, MPFR_RNDN); break;
            case Op::Abs: mpfr_abs(r, v, MPFR_RNDN); break;
            case Op::Tanh: mpfr_tanh(r, v, MPFR_RNDN); break;
            case Op::Atan: mpfr_atan(r, v, MPFR_RNDN); break;
            case Op::Floor: mpfr_floor(r, v); break;
            default: throw std::logic_error("PointDomain: unexpected operation");
        }
        return true;
    }
};

struct IntervalDomain {
    using Value = Interval;
    const std::vector<Interval>& x;
    const std::vector<Interval>& params;
    const std::vector<Interval>& constants;
    Op current = Op::Constant;
    int current_slot = -1;
    bool kink_inside = false;   // an abs/min/max/floor/real power met its non-smooth point
    std::vector<int>* kink_slots = nullptr;

    void kink() {
        kink_inside = true;
        kink_slots->push_back(current_slot);
    }

    static bool reaches_zero(const Interval& a) { return !certainly_positive(a) && !certainly_negative(a); }

    void variable(Interval& out, long i) { mpfi_set(out.raw(), x.at(static_cast<size_t>(i)).raw()); }
    void parameter(Interval& out, long i) { mpfi_set(out.raw(), params.at(static_cast<size_t>(i)).raw()); }
    void constant(Interval& out, long i) { mpfi_set(out.raw(), constants[static_cast<size_t>(i)].raw()); }
    void pi(Interval& out) { set_pi(out); }
    void euler(Interval& out) { set_e(out); }
    void add(Interval& o, const Interval& a, const Interval& b) { lpcert::add(o, a, b); }
    void sub(Interval& o, const Interval& a, const Interval& b) { lpcert::sub(o, a, b); }
    void mul(Interval& o, const Interval& a, const Interval& b) { lpcert::mul(o, a, b); }
    bool div(Interval& o, const Interval& a, const Interval& b) {
        lpcert::div(o, a, b);
        return true;
    }
    void neg(Interval& o, const Interval& a) { lpcert::neg(o, a); }
    bool pow_int(Interval& o, const Interval& a, long n) {
        lpcert::pow_int(o, a, n);
        return true;
    }
    bool pow_real(Interval& o, const Interval& a, long c) {
        if (reaches_zero(a)) kink();
        lpcert::pow_real(o, a, constants[static_cast<size_t>(c)]);
        return true;
    }
    bool min_max(Interval& o, const Interval& a, const Interval& b, bool is_max) {
        if (overlaps(a, b)) kink();
        if (is_max) {
            lpcert::max(o, a, b);
        } else {
            lpcert::min(o, a, b);
        }
        return true;
    }
    bool unary(Interval& o, Op op, const Interval& a) {
        switch (op) {
            case Op::Sin: lpcert::sin(o, a); break;
            case Op::Cos: lpcert::cos(o, a); break;
            case Op::Tan: lpcert::tan(o, a); break;
            case Op::Exp: lpcert::exp(o, a); break;
            case Op::Log: lpcert::log(o, a); break;
            case Op::Sqrt: lpcert::sqrt(o, a); break;
            case Op::Abs:
                if (reaches_zero(a)) kink();
                lpcert::abs(o, a);
                break;
            case Op::Tanh: lpcert::tanh(o, a); break;
            case Op::Atan: lpcert::atan(o, a); break;
            case Op::Floor:
                lpcert::floor(o, a);
                if (!o.is_point()) kink();
                break;
            default: throw std::logic_error("IntervalDomain: unexpected operation");
        }
        return true;
    }
};

}  // namespace

std::vector<Interval> enclose_constants(const Expression& e, Precision prec) {
    std::vector<Interval> out;
    out.reserve(e.constants().size());
    for (const auto& c : e.constants()) {
        Interval v(prec);
        mpfi_set_q(v.raw(), c.value());
        out.push_back(std::move(v));
    }
    return out;
}

std::string describe_box(const std::vector<Interval>& box) {
    std::string s;
    for (size_t i = 0; i < box.size(); ++i) {
        if (i) s += ", ";
        s += "x" + std::to_string(i + 1) + " in " + to_string(box[i], 12);
    }
    return s;
}

void sup_abs_upper(mpfr_ptr out, const Expression& f, int d, Precision prec) {
    const int per_axis_bits = std::max(1, 6 / d);   // 2^(d * bits) boxes, about 64
    const long n = 1L << per_axis_bits;
    IntervalEvaluator ev(f, prec);
    mpfr_t m;
    mpfr_init2(m, mpfr_get_prec(out));
    mpfr_set_zero(out, 1);
    std::vector<long> k(static_cast<size_t>(d), 0);
    while (true) {
        std::vector<Dyadic> lo, hi;
        for (long ki : k) {
            lo.push_back(Dyadic(ki).times_power_of_two(-per_axis_bits));
            hi.push_back(Dyadic(ki + 1).times_power_of_two(-per_axis_bits));
        }
        try {
            magnitude_up(m, ev.evaluate(Box::from_dyadics(lo, hi).sides()));
        } catch (const DomainError& e) {
            mpfr_clear(m);
            const std::string why = e.what();
            if (why.rfind("f must be bounded", 0) == 0) throw;
            throw DomainError("f must be bounded on the domain ([0,1]^" + std::to_string(d) + " by default): " + why);
        }
        mpfr_max(out, out, m, MPFR_RNDU);
        int i = 0;
        while (i < d && ++k[static_cast<size_t>(i)] == n) k[static_cast<size_t>(i++)] = 0;
        if (i == d) break;
    }
    mpfr_clear(m);
}

PointEvaluator::PointEvaluator(const Expression& e, Precision prec) : e_(&e), prec_(prec) {
    for (const auto& c : e.constants()) {
        Real v(prec);
        mpfr_set_q(v.raw(), c.value(), MPFR_RNDN);
        constants_.push_back(std::move(v));
    }
    slots_.assign(e.code().size(), Real(prec));
}

const Real& PointEvaluator::evaluate(const std::vector<Real>& x, const std::vector<Real>& params) {
    PointDomain dom{x, params, constants_};
    detail::run_tape(*e_, dom, slots_);
    return slots_.back();
}

IntervalEvaluator::IntervalEvaluator(const Expression& e, Precision prec)
    : e_(&e), prec_(prec), constants_(enclose_constants(e, prec)), slots_(e.code().size(), Interval(prec)) {}

const Interval& IntervalEvaluator::evaluate(const std::vector<Interval>& box, const std::vector<Interval>& params) {
    IntervalDomain dom{box, params, constants_};
    dom.kink_slots = &kink_slots_;
    kink_slots_.clear();
    smooth_ = false;
    try {
        detail::run_tape(*e_, dom, slots_);
        smooth_ = !dom.kink_inside;
    } catch (const DomainError& err) {
        for (const auto& copy : e_->subject_copies()) {
            if (dom.current_slot < copy.first || dom.current_slot > copy.last) continue;
            // The failing operation belongs to f itself (at x, or at x + h): an L^p norm or
            // modulus of f is certified only for f bounded on the cube (issue 13, defect D).
            std::vector<Interval> at = box;
            if (copy.shifted) {
                for (size_t i = 0; i < at.size() && i < params.size(); ++i) add(at[i], box[i], params[i]);
            }
            throw DomainError("f must be bounded on the domain ([0,1]^" + std::to_string(box.size()) + " by default): function '" +
                              e_->subject_text() + "' is undefined or unbounded on the box " + describe_box(at) +
                              " (" + op_name(dom.current) + ": " + err.what() + ")");
        }
        throw DomainError("function '" + e_->text() + "' is undefined or unbounded on the box " + describe_box(box) +
                          " (" + op_name(dom.current) + ": " + err.what() + ")");
    }
    return slots_.back();
}

}  // namespace lpcert
