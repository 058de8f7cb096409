#pragma once
// CellGrid: the level-l cells of SPEC section 2, their little-endian indices K, and their boxes.
//
// Cell C_K = prod_i [k_i N^-l, (k_i + 1) N^-l). For N not a power of two the ends k/N^l are not
// binary; the grid then uses the dyadic points g_k = k/N^l rounded to nearest at `point_bits`
// (g_0 = 0 and g_{N^l} = 1 exactly), which partition [0,1]^d exactly into boxes C'_K within
// 2^-point_bits of the true cells. Integrals are taken over C'_K; the network is evaluated on the
// shrunk box X_K = prod [g_k + mu, g_{k+1} - mu], which lies inside the true cell when
// mu > 2^-point_bits (the verifier accounts for C'_K \ X_K as a sliver).

#include <vector>

#include "quadrature/box.hpp"
#include "quadrature/dyadic.hpp"

namespace lpcert {

class CellGrid {
public:
    CellGrid(int d, int N, int level, long point_bits = 256);

    int dimension() const { return d_; }
    int level() const { return level_; }
    int N() const { return N_; }
    long cells() const { return cells_; }
    long per_axis() const { return per_axis_; }          // N^l
    long point_bits() const { return point_bits_; }

    // Axis indices k_i of the cell with little-endian index K, and back.
    std::vector<long> axis_indices(long K) const;
    long cell_index(const std::vector<long>& k) const;
    // Index of the parent (level l-1) cell: K mod N^(d(l-1)).
    long parent(long K) const;

    const Dyadic& grid_point(long k) const { return points_[static_cast<size_t>(k)]; }
    Box cell_box(long K) const;
    Box shrunk_box(long K, const Dyadic& margin) const;

private:
    int d_, N_, level_;
    long cells_, per_axis_, point_bits_;
    std::vector<Dyadic> points_;
};

// N^e as a long; throws ResourceLimit when it does not fit.
long checked_power(long N, long e);

}  // namespace lpcert
