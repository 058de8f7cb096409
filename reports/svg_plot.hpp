#pragma once
// A small SVG line-plot writer for the reports: one self-contained <svg> element (no scripts, no
// external resources), linear or log10 y axis, labelled axes with ticks, a legend. Coordinates
// are display values (doubles): plots show certified numbers, they never produce them.

#include <string>
#include <utility>
#include <vector>

namespace lpcert {

struct PlotSeries {
    std::string name;
    std::string color;                               // any SVG colour
    std::vector<std::pair<double, double>> points;   // (x, y)
    bool step = false;                               // piecewise constant: horizontal then vertical
    bool dashed = false;
    bool markers = true;
};

struct PlotSpec {
    std::string title;
    std::string x_label;
    std::string y_label;
    bool log_y = false;
    int width = 640;
    int height = 400;
};

std::string render_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series);
// Escapes &, <, >, " for text inside SVG/HTML.
std::string xml_escape(const std::string& s);

}  // namespace lpcert
