#include "reports/ramp_plot.hpp"

#include <algorithm>
#include <stdexcept>

#include "construction/forward.hpp"
#include "reports/svg_plot.hpp"

namespace lpcert {

std::vector<std::pair<double, double>> readout_across_boundary(const BuiltNetwork& built, const Dyadic& steepness,
                                                               int level, double u_from, double u_to, int n,
                                                               double* widest) {
    const Network& net = built.network;
    if (net.d != 1) throw std::invalid_argument("ramp plot: d must be 1");
    if (level < 0 || level > net.levels || n < 1) throw std::invalid_argument("ramp plot: bad level or sample count");
    const long s_bits = steepness.mantissa_bits() + std::max(0L, steepness.exponent()) + 2;
    // The point needs the ramp's bits plus the plot's resolution; on a ramp the gates are not 0 or
    // 1, so E is a dyadic of about b N^l + point bits, and theta_l E carries b N^l more.
    const long point_bits = s_bits + 40;
    long table_bits = built.digit_bits;
    for (int m = 0; m < level; ++m) table_bits *= net.N;
    const Precision prec(2 * (table_bits + point_bits) + 128);
    IntervalForward pass(net, prec);
    Interval inv_sn = steepness.to_interval(Precision(point_bits));   // 1/(S N), display geometry only
    mpfi_mul_si(inv_sn.raw(), inv_sn.raw(), net.N);
    mpfi_inv(inv_sn.raw(), inv_sn.raw());
    std::vector<std::pair<double, double>> out;
    if (widest) *widest = 0;
    for (int k = 0; k <= n; ++k) {
        const double u = u_from + (u_to - u_from) * k / n;
        // x = 1/N + u/(S N), rounded to point_bits: the network is evaluated at that exact point
        mpfr_t x;
        mpfr_init2(x, point_bits);
        mpfr_set_d(x, u, MPFR_RNDN);
        mpfr_mul(x, x, &inv_sn.raw()->left, MPFR_RNDN);
        mpfr_t b;
        mpfr_init2(b, point_bits);
        mpfr_set_si(b, 1, MPFR_RNDN);
        mpfr_div_si(b, b, net.N, MPFR_RNDN);
        mpfr_add(x, x, b, MPFR_RNDN);
        Interval xi{Precision(point_bits)};
        mpfi_set_fr(xi.raw(), x);
        mpfr_clear(b);
        mpfr_clear(x);
        const Interval& phi = pass.evaluate({xi}, level)[static_cast<size_t>(level)];
        mpfr_t mid, w;
        mpfr_inits2(prec.bits, mid, w, static_cast<mpfr_ptr>(nullptr));
        mpfi_mid(mid, phi.raw());
        mpfi_diam_abs(w, phi.raw());
        if (widest) *widest = std::max(*widest, mpfr_get_d(w, MPFR_RNDU));
        out.emplace_back(u, mpfr_get_d(mid, MPFR_RNDN));
        mpfr_clears(mid, w, static_cast<mpfr_ptr>(nullptr));
    }
    return out;
}

std::string ramp_plot_svg(const BuiltNetwork& floor_relu, const BuiltNetwork& sin_relu, int width, int height) {
    if (!sin_relu.steepness) throw std::invalid_argument("ramp plot: the second network must be sin-relu");
    if (floor_relu.network.N != sin_relu.network.N) throw std::invalid_argument("ramp plot: different N");
    const Dyadic& S = *sin_relu.steepness;
    const int top = std::min(2, std::min(floor_relu.network.levels, sin_relu.network.levels));
    const char* sine_colors[] = {"#8e44ad", "#d35400"};
    const char* floor_colors[] = {"#2c3e50", "#16a085"};
    std::vector<PlotSeries> series;
    for (int l = 1; l <= top; ++l) {
        const std::string idx = std::to_string(l);
        series.push_back(PlotSeries{"sin-relu Phi_" + idx, sine_colors[l - 1],
                                    readout_across_boundary(sin_relu, S, l, -2.0, 1.0, 240), false, false, false});
        series.push_back(PlotSeries{"floor-relu Phi_" + idx, floor_colors[l - 1],
                                    readout_across_boundary(floor_relu, S, l, -2.0, 1.0, 240), false, true, false});
    }
    const std::string N = std::to_string(sin_relu.network.N);
    return render_svg(PlotSpec{"Phi_l across the cell boundary x = 1/" + N + " (ramp of level 1: -1 < u < 0)",
                               "u = S N (x - 1/" + N + ")", "readout", false, width, height},
                      series);
}

}  // namespace lpcert
