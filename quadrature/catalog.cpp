#include "quadrature/catalog.hpp"

namespace lpcert {

std::string CatalogEntry::expression(int d) const {
    // Expand "{sum:T}" and "{prod:T}" into T(x1) + ... + T(xd) (resp. *), T written with "xi".
    std::string out = pattern;
    for (const std::string kind : {"sum", "prod"}) {
        const std::string open = "{" + kind + ":";
        size_t at;
        while ((at = out.find(open)) != std::string::npos) {
            const size_t close = out.find('}', at);
            const std::string term = out.substr(at + open.size(), close - at - open.size());
            std::string expanded = "(";
            for (int i = 1; i <= d; ++i) {
                std::string t = term;
                for (size_t k; (k = t.find("xi")) != std::string::npos;) t.replace(k, 2, "x" + std::to_string(i));
                expanded += (i > 1 ? (kind == "sum" ? " + " : " * ") : "") + std::string("(") + t + ")";
            }
            expanded += ")";
            out.replace(at, close - at + 1, expanded);
        }
    }
    return out;
}

const std::vector<CatalogEntry>& catalog() {
    static const std::vector<CatalogEntry> entries = {
        {"linear", "lipschitz", 1, 8, "f = x1: Lipschitz 1; omega(delta)_p = delta (1 - delta)^(1/p) along e1", "1", "x1", "", ""},
        {"sine", "smooth", 1, 8, "sin(2 pi x1): Lipschitz 2 pi", "2*pi", "sin(2*pi*x1)", "", ""},
        {"smooth_bump", "smooth", 1, 8, "exp(-4 |x - 1/2|^2): smooth, Lipschitz <= 4/sqrt(2e)", "", "exp(-4*{sum:(xi - 0.5)^2})", "", ""},
        {"sine_product", "smooth", 1, 8, "prod_i sin(pi x_i): smooth", "", "{prod:sin(pi*xi)}", "", ""},
        {"smooth_2d", "smooth", 2, 8, "sin(2 pi x1) cos(2 pi x2) + x2^2/2: smooth", "", "sin(2*pi*x1)*cos(2*pi*x2) + x2^2/2", "", ""},
        {"exp_sum", "smooth", 1, 8, "exp(x1 + ... + xd): smooth, Lipschitz sqrt(d) e^d", "", "exp({sum:xi})", "", ""},
        {"oscillatory", "oscillatory", 1, 8, "sin(16 pi x1): Lipschitz 16 pi, modulus saturates at delta = 1/16",
         "16*pi", "sin(16*pi*x1)", "", ""},
        {"chirp", "oscillatory", 1, 8, "sin(10 x1^2): smooth, increasingly oscillatory", "", "sin(10*x1^2)", "", ""},
        {"hoelder_half", "hoelder", 1, 8, "|x1 - 0.3|^(1/2): Hoelder 1/2, not Lipschitz", "", "abs(x1 - 0.3)^0.5", "1/2", "1"},
        {"hoelder_sqrt_radius", "hoelder", 2, 8, "|x - (0.4, 0.6)|^(1/2): Hoelder 1/2 at one point", "", "((x1 - 0.4)^2 + (x2 - 0.6)^2)^0.25", "1/2", "1"},
        {"kink", "lipschitz", 1, 8, "|x1 - 1/3|: Lipschitz 1, one kink", "1", "abs(x1 - 1/3)", "", ""},
        {"tent", "lipschitz", 1, 8, "min(x1, 1 - x1): Lipschitz 1", "1", "min(x1, 1 - x1)", "", ""},
        {"pyramid", "lipschitz", 2, 8, "1 - max(|x1 - 0.45|, |x2 - 0.55|): Lipschitz 1 (in l2)", "", "1 - max(abs(x1 - 0.45), abs(x2 - 0.55))", "", ""},
        {"step", "discontinuous", 1, 8, "jump of height 1 at x1 = 0.3: only L^p, omega(delta)_p = delta^(1/p)", "", "floor(x1 + 0.7)", "1/p", "1"},
        {"indicator_disk", "discontinuous", 2, 8, "indicator of the disk |x - (1/2,1/2)| < 0.4: only L^p", "", "floor(1.16 - (x1 - 0.5)^2 - (x2 - 0.5)^2)",
         "1/p", "1.6"},
        {"staircase", "discontinuous", 1, 8, "floor(5 x1)/5: four jumps of 1/5", "", "floor(5*x1)/5", "1/p", "0.8"},
    };
    return entries;
}

std::optional<CatalogEntry> find_in_catalog(const std::string& name) {
    for (const auto& e : catalog())
        if (e.name == name) return e;
    return std::nullopt;
}

}  // namespace lpcert
