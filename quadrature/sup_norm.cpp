#include "quadrature/sup_norm.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <numeric>
#include <optional>

#include "quadrature/evaluation.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

const char* sup_status_name(SupStatus s) {
    switch (s) {
        case SupStatus::Converged: return "converged";
        case SupStatus::BudgetSpent: return "budget_spent";
        case SupStatus::Stopped: return "stopped";
    }
    return "?";
}

namespace {

constexpr long kDefaultMaxBoxes = 1000000;
constexpr size_t kMinSplitsPerRound = 1024;

struct Cell {
    Box box;
    Interval abs_value;   // encloses |g| over the box: |g| in [lower, upper] on all of it
    Interval point;       // encloses |g(m)| at the centre (meaningful only when continuous)
};

class CellEvaluator {
public:
    CellEvaluator(const Expression& g, const SeriesLayout& layout, bool mean_value, Precision prec)
        : natural_(g, prec), series_(g, layout, prec, Differentiability::Lipschitz), mean_value_(mean_value), prec_(prec) {}

    void evaluate(Cell& c) {
        Interval value = natural_.evaluate(c.box.sides());   // copy: the evaluator reuses its slot
        c.box.centre_and_radius(centre_, radius_, prec_);
        const Interval at_centre = natural_.evaluate(centre_);
        if (mean_value_) {
            if (const Series* s = series_.evaluate(c.box.sides())) {
                Interval mv = at_centre, t(prec_), r(prec_);
                for (int i = 0; i < c.box.dimension(); ++i) {
                    const Interval& ri = radius_[static_cast<size_t>(i)];
                    mpfi_interv_fr(r.raw(), ri.upper(), ri.upper());   // [r, r]
                    mpfi_neg(t.raw(), r.raw());
                    mpfi_put(r.raw(), t.raw());                        // [-r, r] (r >= 0, upper end)
                    mul(t, s->c[static_cast<size_t>(series_.layout().variable_index(i))], r);
                    add(mv, mv, t);
                }
                // both contain g(B), so they meet; the intersection is tighter than either
                if (overlaps(value, mv)) intersect_with(value, mv);
            }
        }
        c.abs_value = Interval(prec_);
        abs(c.abs_value, value);
        c.point = Interval(prec_);
        abs(c.point, at_centre);
    }

private:
    IntervalEvaluator natural_;
    SeriesEvaluator series_;
    bool mean_value_;
    Precision prec_;
    std::vector<Interval> centre_, radius_;
};

bool has_jumps(const Expression& g) {
    for (const auto& ins : g.code())
        if (ins.op == Op::Floor) return true;
    return false;
}

void raise_to(mpfr_ptr acc, mpfr_srcptr x) {
    if (mpfr_greater_p(x, acc)) mpfr_set(acc, x, MPFR_RNDD);
}

}  // namespace

SupEnclosure enclose_sup_abs(const Expression& g, const Box& domain, const SupOptions& options, Precision prec,
                             const StopToken& stop) {
    const int d = domain.dimension();
    g.require_dimension(d);
    const bool continuous = !has_jumps(g);
    const long max_boxes = options.max_boxes > 0 ? options.max_boxes : kDefaultMaxBoxes;
    const Interval tol = parse_decimal(options.relative_tolerance, prec, "sup tolerance");
    const Interval floor_abs = parse_decimal(options.absolute_floor, prec, "sup tolerance floor");
    const SeriesLayout layout(d, 1);
    tbb::enumerable_thread_specific<CellEvaluator> evaluators(
        [&] { return CellEvaluator(g, layout, options.mean_value_form && continuous, prec); });

    mpfr_t L, U, goal, thr, width;
    for (mpfr_ptr x : {L, U, goal, thr, width}) mpfr_init2(x, prec.bits);
    mpfr_set_zero(L, 1);

    auto absorb = [&](const Cell& c) {
        raise_to(L, c.abs_value.lower());
        if (continuous) raise_to(L, c.point.lower());
    };

    stop.throw_if_stop_requested();
    std::vector<Cell> cells;
    cells.push_back(Cell{domain, Interval(prec), Interval(prec)});
    evaluators.local().evaluate(cells.front());
    absorb(cells.front());
    long evaluated = 1;

    SupEnclosure result{Interval(prec), 0, 0, SupStatus::Converged};
    while (true) {
        // U = max of the upper bounds; boxes below L cannot hold the supremum: dropped
        mpfr_set_zero(U, 1);
        std::vector<Cell> kept;
        kept.reserve(cells.size());
        for (auto& c : cells) {
            raise_to(U, c.abs_value.upper());
            if (!mpfr_less_p(c.abs_value.upper(), L)) kept.push_back(std::move(c));
        }
        cells.swap(kept);
        if (mpfr_less_p(U, L)) mpfr_set(U, L, MPFR_RNDU);   // cannot happen; keeps [L, U] ordered
        // goal = tol * max(L, floor), rounded down; width = U - L, rounded up
        mpfr_max(goal, L, floor_abs.lower(), MPFR_RNDD);
        mpfr_mul(goal, goal, tol.lower(), MPFR_RNDD);
        mpfr_sub(width, U, L, MPFR_RNDU);
        if (options.on_round) options.on_round(evaluated, static_cast<long>(cells.size()));
        if (mpfr_lessequal_p(width, goal)) {
            result.status = SupStatus::Converged;
            break;
        }
        if (stop.stop_requested()) {
            result.status = SupStatus::Stopped;
            break;
        }
        if (evaluated + 2 > max_boxes) {
            result.status = SupStatus::BudgetSpent;
            break;
        }
        // the boxes that keep U above L + goal, largest upper bound first (index breaks ties)
        mpfr_add(thr, L, goal, MPFR_RNDD);
        std::vector<size_t> chosen;
        for (size_t k = 0; k < cells.size(); ++k)
            if (mpfr_greater_p(cells[k].abs_value.upper(), thr)) chosen.push_back(k);
        std::stable_sort(chosen.begin(), chosen.end(), [&](size_t a, size_t b) {
            return mpfr_greater_p(cells[a].abs_value.upper(), cells[b].abs_value.upper()) != 0;
        });
        const size_t budget_splits = static_cast<size_t>(std::max(1L, (max_boxes - evaluated) / 2));
        chosen.resize(std::min({chosen.size(), std::max(kMinSplitsPerRound, cells.size()), budget_splits}));
        std::sort(chosen.begin(), chosen.end());   // children in a fixed order

        std::vector<Cell> children;
        children.reserve(2 * chosen.size());
        std::vector<char> split(cells.size(), 0);
        for (size_t k : chosen) {
            split[k] = 1;
            auto halves = cells[k].box.bisect(cells[k].box.widest_axis());
            children.push_back(Cell{std::move(halves.first), Interval(prec), Interval(prec)});
            children.push_back(Cell{std::move(halves.second), Interval(prec), Interval(prec)});
        }
        tbb::parallel_for(tbb::blocked_range<size_t>(0, children.size(), 8), [&](const tbb::blocked_range<size_t>& r) {
            auto& ev = evaluators.local();
            for (size_t k = r.begin(); k != r.end(); ++k) ev.evaluate(children[k]);
        });
        evaluated += static_cast<long>(children.size());
        std::vector<Cell> next;
        next.reserve(cells.size() + children.size());
        for (size_t k = 0; k < cells.size(); ++k)
            if (!split[k]) next.push_back(std::move(cells[k]));
        for (auto& c : children) {   // serial, in index order
            absorb(c);
            next.push_back(std::move(c));
        }
        cells.swap(next);
    }
    set_hull(result.value, L, U);
    result.boxes = evaluated;
    result.final_boxes = static_cast<long>(cells.size());
    for (mpfr_ptr x : {L, U, goal, thr, width}) mpfr_clear(x);
    return result;
}

}  // namespace lpcert
