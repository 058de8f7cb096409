#include "reports/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace lpcert {

std::string xml_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '&': o += "&amp;"; break;
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

namespace {

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

std::string tick_label(double v, bool log) {
    char b[32];
    if (log) {
        std::snprintf(b, sizeof b, "1e%d", static_cast<int>(std::lround(v)));
    } else {
        std::snprintf(b, sizeof b, "%.3g", v);
    }
    return b;
}

// "Nice" tick spacing for a linear range.
double nice_step(double range) {
    const double raw = range / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * mag) return m * mag;
    return 10 * mag;
}

}  // namespace

std::string render_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series) { return render_svg(spec, series, {}); }

std::string render_svg(const PlotSpec& spec, const std::vector<PlotSeries>& given, const std::vector<PlotBand>& bands, bool* clipped) {
    // The line of upper ends of every band is a series drawn over the bands, before the given ones.
    std::vector<PlotSeries> series;
    for (const auto& b : bands) {
        PlotSeries upper{b.name + " upper end", b.color, {}, false, false, true};
        for (const auto& p : b.points) upper.points.emplace_back(p.x, p.upper);
        series.push_back(std::move(upper));
    }
    series.insert(series.end(), given.begin(), given.end());
    if (clipped) *clipped = false;
    const double left = 70, right = 20, top = 36, bottom = 50;
    const double W = spec.width, H = spec.height, pw = W - left - right, ph = H - top - bottom;
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    auto ty = [&](double y) { return spec.log_y ? std::log10(y) : y; };
    for (const auto& s : series) {
        for (const auto& [x, y] : s.points) {
            if (spec.log_y && !(y > 0)) continue;
            if (!std::isfinite(x) || !std::isfinite(y)) continue;
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, ty(y));
            y1 = std::max(y1, ty(y));
        }
    }
    for (const auto& b : bands) {
        for (const auto& p : b.points) {
            if ((spec.log_y && !(p.lower > 0)) || !std::isfinite(p.x) || !std::isfinite(p.lower)) continue;
            y0 = std::min(y0, ty(p.lower));
            y1 = std::max(y1, ty(p.lower));
        }
    }
    if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1;
    if (spec.log_y) {
        y0 = std::floor(y0);
        y1 = std::ceil(y1);
    } else {
        const double pad = 0.05 * (y1 - y0);
        y0 -= pad;
        y1 += pad;
    }
    auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
    auto py = [&](double y) { return top + (1 - (ty(y) - y0) / (y1 - y0)) * ph; };

    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << spec.width << "\" height=\"" << spec.height
      << "\" viewBox=\"0 0 " << spec.width << " " << spec.height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    o << "<rect x=\"0\" y=\"0\" width=\"" << W << "\" height=\"" << H << "\" fill=\"white\"/>\n";
    o << "<text x=\"" << W / 2 << "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">" << xml_escape(spec.title) << "</text>\n";
    o << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#444\"/>\n";
    // y ticks
    if (spec.log_y) {
        const int every = std::max(1, static_cast<int>((y1 - y0) / 8));
        for (int e = static_cast<int>(y0); e <= static_cast<int>(y1); e += every) {
            const double y = top + (1 - (e - y0) / (y1 - y0)) * ph;
            o << "<line x1=\"" << left << "\" y1=\"" << fmt(y) << "\" x2=\"" << left + pw << "\" y2=\"" << fmt(y)
              << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << fmt(y + 4) << "\" text-anchor=\"end\">"
              << tick_label(e, true) << "</text>\n";
        }
    } else {
        const double step = nice_step(y1 - y0);
        for (double v = std::ceil(y0 / step) * step; v <= y1; v += step) {
            const double y = top + (1 - (v - y0) / (y1 - y0)) * ph;
            o << "<line x1=\"" << left << "\" y1=\"" << fmt(y) << "\" x2=\"" << left + pw << "\" y2=\"" << fmt(y)
              << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << fmt(y + 4) << "\" text-anchor=\"end\">"
              << tick_label(std::abs(v) < 1e-12 * step ? 0 : v, false) << "</text>\n";
        }
    }
    // x ticks
    const double xstep = nice_step(x1 - x0);
    for (double v = std::ceil(x0 / xstep) * xstep; v <= x1 + 1e-9 * xstep; v += xstep) {
        const double x = px(v);
        o << "<line x1=\"" << fmt(x) << "\" y1=\"" << top + ph << "\" x2=\"" << fmt(x) << "\" y2=\"" << top + ph + 5
          << "\" stroke=\"#444\"/><text x=\"" << fmt(x) << "\" y=\"" << top + ph + 18 << "\" text-anchor=\"middle\">"
          << tick_label(v, false) << "</text>\n";
    }
    o << "<text class=\"x-label\" x=\"" << left + pw / 2 << "\" y=\"" << H - 10 << "\" text-anchor=\"middle\">"
      << xml_escape(spec.x_label) << "</text>\n";
    o << "<text class=\"y-label\" x=\"16\" y=\"" << top + ph / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
      << top + ph / 2 << ")\">" << xml_escape(spec.y_label) << "</text>\n";
    // bands, beneath everything else: upper ends left to right, lower ends right to left
    for (const auto& b : bands) {
        std::vector<std::pair<double, double>> top_edge, bottom_edge;   // pixel coordinates
        for (const auto& p : b.points) {
            if (!std::isfinite(p.x) || !std::isfinite(p.upper) || (spec.log_y && !(p.upper > 0))) continue;
            double lower_y = top + ph;   // the plot's floor
            if (std::isfinite(p.lower) && (!spec.log_y || p.lower > 0)) {
                lower_y = std::min(py(p.lower), top + ph);
            }
            if (spec.log_y && !(p.lower > 0) && clipped) *clipped = true;
            top_edge.emplace_back(px(p.x), py(p.upper));
            bottom_edge.emplace_back(px(p.x), lower_y);
        }
        if (top_edge.empty()) continue;
        o << "<polygon class=\"band\" data-name=\"" << xml_escape(b.name) << "\" points=\"";
        for (const auto& [x, y] : top_edge) o << fmt(x) << "," << fmt(y) << " ";
        for (auto it = bottom_edge.rbegin(); it != bottom_edge.rend(); ++it) o << fmt(it->first) << "," << fmt(it->second) << " ";
        o << "\" fill=\"" << b.color << "\" fill-opacity=\"" << b.opacity << "\" stroke=\"" << b.color
          << "\" stroke-opacity=\"0.5\" stroke-width=\"0.5\"/>\n";
    }
    // series
    int legend_row = 0;
    for (const auto& b : bands) {
        const double ly = top + 14 + 16 * legend_row++;
        o << "<rect x=\"" << left + pw - 190 << "\" y=\"" << ly - 10 << "\" width=\"24\" height=\"12\" fill=\"" << b.color
          << "\" fill-opacity=\"" << b.opacity << "\"/><line x1=\"" << left + pw - 190 << "\" y1=\"" << ly - 10 << "\" x2=\""
          << left + pw - 166 << "\" y2=\"" << ly - 10 << "\" stroke=\"" << b.color << "\" stroke-width=\"2\"/>"
          << "<text class=\"legend\" x=\"" << left + pw - 160 << "\" y=\"" << ly << "\">" << xml_escape(b.name) << "</text>\n";
    }
    for (size_t k = 0; k < series.size(); ++k) {
        const PlotSeries& s = series[k];
        const bool band_line = k < bands.size();   // its legend entry is the band's
        std::ostringstream path;
        bool first = true;
        double last_y = 0;
        for (const auto& [x, y] : s.points) {
            if ((spec.log_y && !(y > 0)) || !std::isfinite(y)) {
                first = true;
                continue;
            }
            if (first) {
                path << "M" << fmt(px(x)) << " " << fmt(py(y));
            } else {
                if (s.step) path << " L" << fmt(px(x)) << " " << fmt(py(last_y));
                path << " L" << fmt(px(x)) << " " << fmt(py(y));
            }
            first = false;
            last_y = y;
        }
        o << "<path class=\"series\" data-name=\"" << xml_escape(s.name) << "\" d=\"" << path.str()
          << "\" fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "")
          << "/>\n";
        if (s.markers) {
            for (const auto& [x, y] : s.points) {
                if ((spec.log_y && !(y > 0)) || !std::isfinite(y)) continue;
                o << "<circle cx=\"" << fmt(px(x)) << "\" cy=\"" << fmt(py(y)) << "\" r=\"3\" fill=\"" << s.color << "\"/>";
            }
            o << "\n";
        }
        if (band_line) continue;
        const double ly = top + 14 + 16 * legend_row++;
        o << "<line x1=\"" << left + pw - 190 << "\" y1=\"" << ly - 4 << "\" x2=\"" << left + pw - 166 << "\" y2=\"" << ly - 4
          << "\" stroke=\"" << s.color << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>"
          << "<text class=\"legend\" x=\"" << left + pw - 160 << "\" y=\"" << ly << "\">" << xml_escape(s.name) << "</text>\n";
    }
    o << "</svg>\n";
    return o.str();
}

}  // namespace lpcert
