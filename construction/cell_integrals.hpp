#pragma once
// The integrals int_{C'_K} f over every cell of one level (the quadrature behind the cell values).
//
// Blocks of cells first: a block (a cell of a coarser level, up to 256 cells in d = 2) is
// integrated cell by cell from ONE Taylor form of f on the block (SubgridIntegrator). A block
// where f has no such form (a kink, a jump), or where some cell's enclosure is wider than the
// target, is split into its N^d sub-blocks, down to single cells; those cells are integrated by
// the adaptive integrator (integration.hpp) to the per-cell goal, as every cell was before.
// Every result is an enclosure either way; the blocks are a speed choice. Their width target is
// 2^-16 of the per-cell goal: the verifier's p = 2 identity adds the cells' widths weighted by
// their values and needs them far below the goal (about 2^-9 of it on the suite's runs), which
// the per-cell integrator met by converging past it.

#include <functional>
#include <string>
#include <vector>

#include "construction/cell_grid.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/stop_token.hpp"

namespace lpcert {

struct CellIntegralOptions {
    std::string per_cell_goal;       // decimal: the width every cell's enclosure should reach
    int adaptive_order = 6;          // Taylor order of the adaptive integrator (the cells left over)
    long max_boxes = 400000;         // the adaptive integrator's budget
    bool use_blocks = true;          // false: every cell by the adaptive integrator (tests, benchmarks)
    std::function<void(long done, long total)> progress;   // cells finished so far
    StopToken stop;
};

struct CellIntegrals {
    std::vector<Interval> integrals;   // by cell index K of the grid
    long boxes = 0;                    // Taylor forms of blocks tried + the adaptive integrator's boxes
    long cells_by_blocks = 0;          // cells enclosed from their block's Taylor form
};

// Throws Stopped when options.stop asks before every cell has an enclosure.
CellIntegrals enclose_cell_integrals(const Expression& f, const CellGrid& grid, const CellIntegralOptions& options,
                                     Precision prec);

// The Taylor order of the blocks' forms in d variables (0: no blocks in d dimensions).
int block_taylor_order(int d);

}  // namespace lpcert
