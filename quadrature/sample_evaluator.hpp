#pragma once
// f at a point in double precision, for heuristics only: ranking candidate shifts of the modulus
// search by a sample mean, and the like. Never part of a bound: every printed number comes from
// the interval and Taylor evaluators. Where f is undefined the value is NaN (as IEEE arithmetic
// gives it); overflow gives an infinity. Both are the caller's to skip.
//
// Why double here: the screening estimate evaluates f at 4,096 points per candidate shift, and at
// 64-bit MPFR it was a fifth of a d = 2, L = 8 run (bench/README.md); the ranking only needs a few
// correct digits of a mean.

#include <vector>

#include "quadrature/expression.hpp"

namespace lpcert {

class SampleEvaluator {
public:
    explicit SampleEvaluator(const Expression& e);
    // f(x) with the parameters `params`, each operation rounded to nearest in double.
    double evaluate(const std::vector<double>& x, const std::vector<double>& params = {});

private:
    const Expression* e_;
    std::vector<double> constants_, slots_;
};

}  // namespace lpcert
