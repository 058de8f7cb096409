#include "quadrature/sample_evaluator.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "quadrature/tape_runner.hpp"

namespace lpcert {

namespace {

struct DoubleDomain {
    using Value = double;
    const std::vector<double>& x;
    const std::vector<double>& params;
    const std::vector<double>& constants;
    Op current = Op::Constant;
    int current_slot = -1;

    void variable(double& out, long i) { out = x.at(static_cast<size_t>(i)); }
    void parameter(double& out, long i) { out = params.at(static_cast<size_t>(i)); }
    void constant(double& out, long i) { out = constants[static_cast<size_t>(i)]; }
    void pi(double& out) { out = M_PI; }
    void euler(double& out) { out = M_E; }
    void add(double& o, double a, double b) { o = a + b; }
    void sub(double& o, double a, double b) { o = a - b; }
    void mul(double& o, double a, double b) { o = a * b; }
    bool div(double& o, double a, double b) {
        o = a / b;
        return true;
    }
    void neg(double& o, double a) { o = -a; }
    bool pow_int(double& o, double a, long n) {
        o = std::pow(a, static_cast<double>(n));
        return true;
    }
    bool pow_real(double& o, double a, long c) {
        o = a < 0 ? std::numeric_limits<double>::quiet_NaN() : std::pow(a, constants[static_cast<size_t>(c)]);
        return true;
    }
    bool min_max(double& o, double a, double b, bool is_max) {
        // NaN propagates (std::fmax would drop it)
        if (std::isnan(a) || std::isnan(b)) o = std::numeric_limits<double>::quiet_NaN();
        else o = is_max ? std::max(a, b) : std::min(a, b);
        return true;
    }
    bool unary(double& o, Op op, double a) {
        switch (op) {
            case Op::Sin: o = std::sin(a); break;
            case Op::Cos: o = std::cos(a); break;
            case Op::Tan: o = std::tan(a); break;
            case Op::Exp: o = std::exp(a); break;
            case Op::Log: o = std::log(a); break;
            case Op::Sqrt: o = std::sqrt(a); break;
            case Op::Abs: o = std::fabs(a); break;
            case Op::Tanh: o = std::tanh(a); break;
            case Op::Atan: o = std::atan(a); break;
            case Op::Floor: o = std::floor(a); break;
            default: throw std::logic_error("SampleEvaluator: unexpected operation");
        }
        return true;
    }
};

}  // namespace

SampleEvaluator::SampleEvaluator(const Expression& e) : e_(&e), slots_(e.code().size(), 0.0) {
    for (const auto& c : e.constants()) constants_.push_back(mpq_get_d(c.value()));
}

double SampleEvaluator::evaluate(const std::vector<double>& x, const std::vector<double>& params) {
    DoubleDomain dom{x, params, constants_};
    detail::run_tape(*e_, dom, slots_);
    return slots_.back();
}

}  // namespace lpcert
