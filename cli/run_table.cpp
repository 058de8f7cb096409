#include "cli/run_table.hpp"

#include <iomanip>

#include "quadrature/errors.hpp"

namespace lpcert {

namespace {

// error upper / bound, rounded up, for display
std::string ratio(const LevelCertificate& l) {
    if (mpfr_sgn(l.bound.lower()) <= 0) return "-";
    mpfr_t r;
    mpfr_init2(r, 64);
    mpfr_div(r, l.error.upper(), l.bound.lower(), MPFR_RNDU);
    const std::string s = decimal_up(r, 3);
    mpfr_clear(r);
    return s;
}

}  // namespace

void print_run_table(std::ostream& out, const RunParameters& P, const CertificationResult& r, double seconds) {
    out << "lpcert run: f = " << P.function << ", d = " << P.d << ", N = " << P.N << ", L = " << P.levels
        << ", p = " << P.p << ", eta = " << P.eta.to_string() << ", b = " << P.digit_bits << "\n";
    out << "architecture: width " << r.architecture.width << " (bound 2dN+d+2 = " << r.width_bound << "), depth "
        << r.architecture.depth << " (L(d+2)+1 = " << r.expected_depth << "), prefix nested: "
        << (r.prefix_nested ? "yes" : "NO") << "\n";
    if (r.lipschitz) out << "Lipschitz constant <= " << decimal_up(r.lipschitz->upper(), 8) << "\n";
    out << std::left << std::setw(6) << "level" << std::setw(10) << "cells" << std::setw(50) << "||f - Phi_l||_p in"
        << std::setw(16) << "omega_lower" << std::setw(16) << "(2d+1)*omega" << std::setw(10) << "ratio"
        << "status\n";
    for (const auto& l : r.levels) {
        if (l.integration_status == "not_reached") {
            out << std::setw(6) << l.level << std::setw(10) << l.cells << std::setw(82) << "not reached" << "inconclusive\n";
            continue;
        }
        out << std::setw(6) << l.level << std::setw(10) << l.cells << std::setw(50) << to_string(l.error, 8)
            << std::setw(16) << decimal_down(l.omega_at_best.lower(), 8) << std::setw(16)
            << decimal_down(l.bound.lower(), 8) << std::setw(10) << ratio(l) << status_name(l.status)
            << (l.exact_cell_values ? "" : "  (network not constant on a shrunk cell!)") << "\n";
    }
    if (r.target_level) out << "target error reached at level " << *r.target_level << "\n";
    if (r.stopped) out << "stopped: " << *r.stopped << "; levels not reached are inconclusive (incomplete)\n";
    out << "verdict: " << (r.all_certified() ? "certified" : "NOT certified") << "  (" << std::fixed
        << std::setprecision(1) << seconds << " s)\n";
}

}  // namespace lpcert
