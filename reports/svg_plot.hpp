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

// A certified enclosure per x drawn as a BAND: a translucent polygon between the lower and upper
// ends (the upper ends left to right, then the lower ends right to left), with the line of the
// upper ends (and markers) on top and one legend entry (a filled swatch under a line). On a log
// scale a lower end <= 0 (or below the plot's floor) is clipped at the floor of the plot; the
// caller says so in its caption (render_svg reports it through *clipped).
struct PlotBand {
    std::string name;
    std::string color;
    struct Point {
        double x, lower, upper;
    };
    std::vector<Point> points;
    double opacity = 0.25;   // fill opacity, so that overlapping bands stay distinguishable
};

std::string render_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series);
// Bands first (beneath), then their upper lines, then the series. *clipped (when given) is set
// to whether some band's lower end was clipped at the plot's floor.
std::string render_svg(const PlotSpec& spec, const std::vector<PlotSeries>& series, const std::vector<PlotBand>& bands,
                       bool* clipped = nullptr);
// Escapes &, <, >, " for text inside SVG/HTML.
std::string xml_escape(const std::string& s);

}  // namespace lpcert
