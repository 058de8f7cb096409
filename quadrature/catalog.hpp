#pragma once
// The catalog of named test functions (SPEC section 6), each with what is known about it.
// docs/adding-a-function.md explains how to add one.

#include <optional>
#include <string>
#include <vector>

namespace lpcert {

struct CatalogEntry {
    std::string name;
    std::string family;        // smooth, oscillatory, hoelder, lipschitz, discontinuous
    int min_dimension = 1;
    int max_dimension = 8;
    std::string known;         // what is known (a Lipschitz constant, a Hoelder exponent, "only L^p")
    std::string lipschitz;     // exact Lipschitz constant as text where known in closed form, else ""
    // The expression in x1..xd for dimension d.
    std::string expression(int d) const;
    std::string pattern;       // the expression; "{sum:TERM}" / "{prod:TERM}" expand over i = 1..d with TERM using "xi"
    // Exact Hoelder data where proved (docs/math.md section 8, one proof per function); "" = none.
    // For every delta > 0 and every p in [1, inf):
    //   hoelder_exponent "a/b" (f Hoelder in the sup sense, |f(x) - f(y)| <= lambda |x - y|_2^(a/b)):
    //       omega_f(delta)_p <= lambda delta^(a/b), lambda = hoelder_constant;
    //   hoelder_exponent "1/p" (f with jumps, Hoelder in the L^p sense only):
    //       omega_f(delta)_p <= (mu delta)^(1/p), mu = hoelder_constant (a measure rate, not lambda).
    std::string hoelder_exponent;
    std::string hoelder_constant;   // exact decimal
};

const std::vector<CatalogEntry>& catalog();
// The entry named `name`, or nullopt.
std::optional<CatalogEntry> find_in_catalog(const std::string& name);

}  // namespace lpcert
