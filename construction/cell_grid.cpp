#include "construction/cell_grid.hpp"

#include <limits>

#include "quadrature/errors.hpp"

namespace lpcert {

long checked_power(long N, long e) {
    long r = 1;
    for (long k = 0; k < e; ++k) {
        if (r > std::numeric_limits<long>::max() / N) {
            throw ResourceLimit(std::to_string(N) + "^" + std::to_string(e) + " cells are beyond any memory");
        }
        r *= N;
    }
    return r;
}

CellGrid::CellGrid(int d, int N, int level, long point_bits)
    : d_(d), N_(N), level_(level), cells_(checked_power(N, static_cast<long>(d) * level)),
      per_axis_(checked_power(N, level)), point_bits_(point_bits) {
    points_.reserve(static_cast<size_t>(per_axis_) + 1);
    mpfr_t v;
    mpfr_init2(v, point_bits);
    for (long k = 0; k <= per_axis_; ++k) {
        mpfr_set_si(v, k, MPFR_RNDN);
        mpfr_div_si(v, v, per_axis_, MPFR_RNDN);   // exact when N is a power of two
        points_.push_back(Dyadic::from_mpfr(v));
    }
    mpfr_clear(v);
}

std::vector<long> CellGrid::axis_indices(long K) const {
    std::vector<long> k(static_cast<size_t>(d_), 0);
    const long block = checked_power(N_, d_);
    long rest = K;
    long scale = per_axis_;
    for (int m = 1; m <= level_; ++m) {
        long a = rest % block;   // a_m, the child index of level m
        rest /= block;
        scale /= N_;             // N^(l-m)
        for (int i = 0; i < d_; ++i) {
            k[static_cast<size_t>(i)] += (a % N_) * scale;
            a /= N_;
        }
    }
    return k;
}

long CellGrid::cell_index(const std::vector<long>& k) const {
    long K = 0, place = 1;
    long scale = per_axis_;
    for (int m = 1; m <= level_; ++m) {
        scale /= N_;
        long a = 0, digit_place = 1;
        for (int i = 0; i < d_; ++i) {
            a += ((k[static_cast<size_t>(i)] / scale) % N_) * digit_place;
            digit_place *= N_;
        }
        K += a * place;
        place *= digit_place;
    }
    return K;
}

long CellGrid::parent(long K) const { return level_ == 0 ? 0 : K % checked_power(N_, static_cast<long>(d_) * (level_ - 1)); }

Box CellGrid::cell_box(long K) const {
    const auto k = axis_indices(K);
    std::vector<Dyadic> lo, hi;
    for (long ki : k) {
        lo.push_back(points_[static_cast<size_t>(ki)]);
        hi.push_back(points_[static_cast<size_t>(ki) + 1]);
    }
    return Box::from_dyadics(lo, hi);
}

Box CellGrid::shrunk_box(long K, const Dyadic& margin) const {
    const auto k = axis_indices(K);
    std::vector<Dyadic> lo, hi;
    for (long ki : k) {
        lo.push_back(points_[static_cast<size_t>(ki)] + margin);
        hi.push_back(points_[static_cast<size_t>(ki) + 1] - margin);
    }
    return Box::from_dyadics(lo, hi);
}

}  // namespace lpcert
