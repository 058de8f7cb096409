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
};

const std::vector<CatalogEntry>& catalog();
// The entry named `name`, or nullopt.
std::optional<CatalogEntry> find_in_catalog(const std::string& name);

}  // namespace lpcert
