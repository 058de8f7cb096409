#pragma once
// Human reports: report.md and a self-contained report.html (inline SVG plots, no network
// access needed to view it) for one certificate.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "construction/builder.hpp"
#include "quadrature/expression.hpp"
#include "reports/svg_plot.hpp"

namespace lpcert {

// Certified error enclosure against level, with the bound (2d+1) omega_lower and, where known,
// (2d+1) Lip N^-l (log scale). Read from the certificate's decimal strings.
std::string error_plot_svg(const nlohmann::json& certificate, int width = 640, int height = 400);
// The error per readout of a network certificate (lpcert-network-certificate/1, `verify
// certify-network --out`): the enclosure of ||f - Phi_i|| as a band with its upper ends on top, and
// the upper ends of ||Phi_i|| (log scale, display values). *clipped: some lower end is 0 and the band
// is clipped at the plot's floor there. network_error_plot_caption says what the plot shows.
std::string network_error_plot_svg(const nlohmann::json& certificate, bool* clipped = nullptr, int width = 640, int height = 400);
std::string network_error_plot_caption(bool clipped);
// f and Phi_1..Phi_3 on [0,1] (d = 1) or on the slice x2 = ... = xd = 1/2 (d > 1).
std::string approximant_plot_svg(const Expression& f, const BuiltNetwork& built, int width = 640, int height = 400);

// The per-level table of a certificate as Markdown and as HTML.
std::string levels_markdown(const nlohmann::json& certificate);
std::string levels_html(const nlohmann::json& certificate);

// Writes DIR/report.md, DIR/report.html, DIR/error.svg, DIR/approximants.svg, DIR/certificate.json.
void write_run_report(const std::string& dir, const nlohmann::json& certificate, const Expression& f,
                      const BuiltNetwork& built);

// Shared page frame of the HTML reports.
std::string html_page(const std::string& title, const std::string& body);
void write_text_file(const std::string& path, const std::string& text);

}  // namespace lpcert
