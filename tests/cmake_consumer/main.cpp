// A program outside lpcert: ||x1||_2 over [0,1] = 1/sqrt(3), enclosed by the installed library.
#include <iostream>

#include "quadrature/expression.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/stop_token.hpp"
#include "verify/analysis.hpp"

int main() {
    lpcert::IntegrateRequest q("x1", lpcert::Expression::parse("x1"), 1, lpcert::Exponent::parse("2"));
    const lpcert::IntegrateOutcome r = lpcert::integrate(q, lpcert::JobOptions{1, {}}, lpcert::StopSource().token());
    std::cout << r.json["norm"]["lower"].get<std::string>() << " <= ||x1||_2 <= " << r.json["norm"]["upper"].get<std::string>()
              << "\n";
    return r.json["complete"].get<bool>() ? 0 : 1;
}
