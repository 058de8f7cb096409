#pragma once
// The ramp of the sine-ReLU network made visible: Phi_1 (and Phi_2) of the two constructions of
// one d = 1 function across the level-1 cell boundary x = 1/N, magnified to the ramp's width
// 1/(S N). The Floor-ReLU readout jumps there; the sine-ReLU readout is continuous, equal to the
// cell constants off the ramp and bounded (but not a cell constant) on it (SPEC 3b).

#include <string>
#include <utility>
#include <vector>

#include "construction/builder.hpp"

namespace lpcert {

// Readout Phi_level of `built` at the points x = 1/N + u / (S N), u in [u_from, u_to], n + 1
// evenly spaced values of u, with S the sine network's steepness. Each value is the midpoint of
// an interval forward pass at a precision that keeps the pass exact up to the sine's rounding
// (display only); `widest` receives the largest enclosure width seen.
std::vector<std::pair<double, double>> readout_across_boundary(const BuiltNetwork& built, const Dyadic& steepness,
                                                               int level, double u_from, double u_to, int n,
                                                               double* widest = nullptr);

// The SVG plot; both networks must have d = 1 and the same N. The sine network gives S.
std::string ramp_plot_svg(const BuiltNetwork& floor_relu, const BuiltNetwork& sin_relu, int width = 640, int height = 400);

}  // namespace lpcert
