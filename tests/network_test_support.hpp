#pragma once
// Shared by the construction test suites: network shapes and random cell values.

#include <vector>

#include "construction/builder.hpp"
#include "construction/cell_grid.hpp"
#include "test_support.hpp"

namespace lpcert::test {

struct Shape {
    int d, N, L;
};

// Random multiples of eta in [-3000 eta, 3000 eta] for every level 0..L.
inline CellValues random_values(const Shape& s, const Dyadic& eta) {
    CellValues v;
    v.eta = eta;
    for (int l = 0; l <= s.L; ++l) {
        const long cells = checked_power(s.N, static_cast<long>(s.d) * l);
        std::vector<Dyadic> level;
        for (long K = 0; K < cells; ++K) level.push_back(Dyadic(static_cast<long>(rng()() % 6001) - 3000) * eta);
        v.v.push_back(std::move(level));
    }
    return v;
}

}  // namespace lpcert::test
