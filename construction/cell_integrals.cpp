#include "construction/cell_integrals.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <atomic>

#include "quadrature/integration.hpp"
#include "quadrature/real.hpp"
#include "quadrature/subgrid_integration.hpp"

namespace lpcert {

int block_taylor_order(int d) {
    // the order trades the blocks' series (O(monomials^2) products) against their size: 10 in
    // d = 2 makes a 16 x 16 block of sine_product at L = 8 meet the target (bench/README.md)
    switch (d) {
        case 1: return 12;
        case 2: return 10;
        case 3: return 8;
        default: return 0;   // (n + 1)^d tensors: not worth it
    }
}

namespace {

// The axis indices of every cell of a level with n_side cells per axis, axis 0 fastest.
std::vector<std::vector<long>> every_index(int d, long n_side) {
    long count = 1;
    for (int i = 0; i < d; ++i) count *= n_side;
    std::vector<std::vector<long>> out(static_cast<size_t>(count), std::vector<long>(static_cast<size_t>(d)));
    for (long c = 0; c < count; ++c) {
        long rest = c;
        for (int i = 0; i < d; ++i) {
            out[static_cast<size_t>(c)][static_cast<size_t>(i)] = rest % n_side;
            rest /= n_side;
        }
    }
    return out;
}

}  // namespace

CellIntegrals enclose_cell_integrals(const Expression& f, const CellGrid& grid, const CellIntegralOptions& options,
                                     Precision prec) {
    const int d = grid.dimension(), L = grid.level(), N = grid.N();
    const long cells = grid.cells();
    CellIntegrals out;
    out.integrals.assign(static_cast<size_t>(cells), Interval(prec));
    std::vector<long> leftover;   // cells for the adaptive integrator
    const int order = options.use_blocks ? block_taylor_order(d) : 0;
    std::atomic<long> done{0};
    if (order > 0 && L >= 1) {
        // start with blocks of at most 256 cells (512 in d = 3), at least N^d
        const long cap = d == 3 ? 512 : 256;
        int depth = 1;   // levels between a block and its cells
        while (depth < L && checked_power(N, static_cast<long>(d) * (depth + 1)) <= cap) ++depth;
        int b = L - depth;
        std::vector<std::vector<long>> blocks = every_index(d, checked_power(N, b));
        Real target(options.per_cell_goal, Precision(64));
        mpfr_mul_2si(target.raw(), target.raw(), -16, MPFR_RNDD);
        tbb::enumerable_thread_specific<SubgridIntegrator> integrators([&] { return SubgridIntegrator(f, d, order, prec); });
        while (!blocks.empty()) {
            const long side = checked_power(N, L - b);   // cells per block and axis
            const std::vector<std::vector<long>> offsets = every_index(d, side);
            std::vector<char> finished(blocks.size(), 0);
            tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks.size(), 1), [&](const tbb::blocked_range<size_t>& range) {
                SubgridIntegrator& integrator = integrators.local();
                std::vector<std::vector<Dyadic>> cuts(static_cast<size_t>(d));
                std::vector<Interval> values;
                std::vector<long> k(static_cast<size_t>(d));
                Real w(Precision(64));
                for (size_t B = range.begin(); B != range.end(); ++B) {
                    if (options.stop.stop_requested()) return;
                    const auto& kb = blocks[B];
                    for (int i = 0; i < d; ++i) {
                        auto& cut = cuts[static_cast<size_t>(i)];
                        cut.clear();
                        for (long j = 0; j <= side; ++j) cut.push_back(grid.grid_point(kb[static_cast<size_t>(i)] * side + j));
                    }
                    if (!integrator.enclose(cuts, values)) continue;
                    bool narrow = true;
                    for (const Interval& v : values) {
                        width_up(w.raw(), v);
                        if (!mpfr_lessequal_p(w.raw(), target.raw())) {
                            narrow = false;
                            break;
                        }
                    }
                    if (!narrow) continue;
                    for (size_t c = 0; c < offsets.size(); ++c) {
                        for (int i = 0; i < d; ++i) k[static_cast<size_t>(i)] = kb[static_cast<size_t>(i)] * side + offsets[c][static_cast<size_t>(i)];
                        out.integrals[static_cast<size_t>(grid.cell_index(k))] = values[c];
                    }
                    finished[B] = 1;
                    done += static_cast<long>(offsets.size());
                }
            });
            options.stop.throw_if_stop_requested();
            out.boxes += static_cast<long>(blocks.size());
            if (options.progress) options.progress(done.load(), cells);
            // the blocks left: their N^d sub-blocks, or at the last level their cells
            std::vector<std::vector<long>> next;
            const std::vector<std::vector<long>> children = every_index(d, N);
            std::vector<long> k(static_cast<size_t>(d));
            for (size_t B = 0; B < blocks.size(); ++B) {
                if (finished[B]) continue;
                if (b + 1 < L) {
                    for (const auto& c : children) {
                        for (int i = 0; i < d; ++i) k[static_cast<size_t>(i)] = blocks[B][static_cast<size_t>(i)] * N + c[static_cast<size_t>(i)];
                        next.push_back(k);
                    }
                } else {
                    for (const auto& c : offsets) {
                        for (int i = 0; i < d; ++i) k[static_cast<size_t>(i)] = blocks[B][static_cast<size_t>(i)] * side + c[static_cast<size_t>(i)];
                        leftover.push_back(grid.cell_index(k));
                    }
                }
            }
            blocks = std::move(next);
            ++b;
        }
    } else {
        leftover.resize(static_cast<size_t>(cells));
        for (long K = 0; K < cells; ++K) leftover[static_cast<size_t>(K)] = K;
    }
    out.cells_by_blocks = cells - static_cast<long>(leftover.size());
    if (!leftover.empty()) {
        std::sort(leftover.begin(), leftover.end());
        std::vector<Piece> pieces;
        pieces.reserve(leftover.size());
        for (long K : leftover) pieces.push_back(Piece{grid.cell_box(K), 0});
        IntegrationOptions opt;
        opt.taylor_order = options.adaptive_order;
        opt.piece_absolute_tolerance = options.per_cell_goal;
        if (options.progress) opt.on_round = [&](long boxes, long) { options.progress(done.load() + std::min(boxes, static_cast<long>(leftover.size())), cells); };
        opt.max_boxes = options.max_boxes;
        opt.stop = options.stop;
        IntegralEnclosure integral = enclose_integral(f, std::move(pieces), {}, opt, prec);
        out.boxes += integral.boxes;
        for (size_t i = 0; i < leftover.size(); ++i) out.integrals[static_cast<size_t>(leftover[i])] = std::move(integral.per_initial_piece[i]);
    }
    return out;
}

}  // namespace lpcert
