// libFuzzer target: the expression parser (Spirit X3) and, for what parses, the interval and
// point evaluators on the unit cube. Bad input must end in InputError or DomainError, never in a
// crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "quadrature/errors.hpp"
#include "quadrature/evaluation.hpp"
#include "quadrature/expression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lpcert;
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const Expression e = Expression::parse(text);
        const int d = 8;   // the largest dimension; the CLI checks the variables against d the same way
        e.require_dimension(d);
        IntervalEvaluator ev(e, Precision(64));
        std::vector<Interval> cube(d, Interval(Precision(64)));
        for (auto& side : cube) mpfr_set_si(&side.raw()->right, 1, MPFR_RNDU);
        ev.evaluate(cube);
        PointEvaluator pe(e, Precision(64));
        std::vector<Real> x(d, Real("0.375", Precision(64)));
        pe.evaluate(x);
    } catch (const InputError&) {
    } catch (const DomainError&) {
    }
    return 0;
}
