#include "quadrature/lipschitz.hpp"

#include <algorithm>

#include "quadrature/box.hpp"
#include "quadrature/stop_token.hpp"
#include "quadrature/taylor_series.hpp"

namespace lpcert {

namespace {

// sqrt(sum_i g_i^2) over the gradient enclosure: an enclosure of |grad f| on the box.
Interval gradient_norm(const Series& s, const SeriesLayout& layout, Precision prec) {
    Interval sum(prec), t(prec);
    for (int i = 0; i < layout.dimension(); ++i) {
        sqr(t, s.c[static_cast<size_t>(layout.variable_index(i))]);
        add(sum, sum, t);
    }
    sqrt(sum, sum);
    return sum;
}

struct ScoredBox {
    Box box;
    Interval norm;   // enclosure of |grad f| over the box
};

}  // namespace

std::optional<LipschitzBound> bound_lipschitz_constant(const Expression& f, int d, const std::string& relative_tolerance,
                                                       long max_boxes, Precision prec,
                                                       const StopToken& stop) {
    f.require_dimension(d);
    const SeriesLayout layout(d, 1);
    SeriesEvaluator ev(f, layout, prec, Differentiability::Lipschitz);
    const Interval tol = parse_decimal(relative_tolerance, prec, "tolerance");
    Interval factor(1, prec);
    add(factor, factor, tol);

    mpfr_t lower, target;
    mpfr_init2(lower, prec.bits);
    mpfr_init2(target, prec.bits);
    mpfr_set_zero(lower, 1);

    std::vector<Interval> centre, radius;
    long count = 0;
    bool lipschitz = true;
    auto score = [&](Box b) -> std::optional<ScoredBox> {
        ++count;
        const Series* s = ev.evaluate(b.sides());
        if (s == nullptr) return std::nullopt;
        ScoredBox sb{std::move(b), gradient_norm(*s, layout, prec)};
        sb.box.centre_and_radius(centre, radius, prec);
        const Series* c = ev.evaluate(centre);
        if (c != nullptr) {
            const Interval n = gradient_norm(*c, layout, prec);
            if (mpfr_greater_p(n.lower(), lower)) mpfr_set(lower, n.lower(), MPFR_RNDD);
        }
        return sb;
    };

    std::vector<ScoredBox> boxes;
    if (auto s = score(Box::unit_cube(d))) boxes.push_back(std::move(*s)); else lipschitz = false;

    auto by_upper = [](const ScoredBox& a, const ScoredBox& b) { return mpfr_less_p(a.norm.upper(), b.norm.upper()) != 0; };
    while (lipschitz) {
        if (stop.stop_requested()) break;   // every partition gives a true upper bound; a stop keeps it
        std::make_heap(boxes.begin(), boxes.end(), by_upper);
        // target = (1 + tol) * lower, rounded down: stop when the largest upper bound is below it.
        mpfr_mul(target, lower, factor.lower(), MPFR_RNDD);
        if (mpfr_lessequal_p(boxes.front().norm.upper(), target) || count >= max_boxes) break;
        // Split the (up to) 32 boxes with the largest bounds.
        std::vector<ScoredBox> next;
        for (int k = 0; k < 32 && !boxes.empty(); ++k) {
            std::pop_heap(boxes.begin(), boxes.end(), by_upper);
            ScoredBox top = std::move(boxes.back());
            boxes.pop_back();
            if (mpfr_lessequal_p(top.norm.upper(), target)) {
                next.push_back(std::move(top));
                break;
            }
            auto halves = top.box.bisect(top.box.widest_axis());
            for (Box* h : {&halves.first, &halves.second}) {
                auto s = score(std::move(*h));
                if (!s) {
                    lipschitz = false;
                    break;
                }
                next.push_back(std::move(*s));
            }
            if (!lipschitz) break;
        }
        for (auto& b : next) boxes.push_back(std::move(b));
    }
    std::optional<LipschitzBound> out;
    if (lipschitz) {
        mpfr_t upper;
        mpfr_init2(upper, prec.bits);
        mpfr_set_zero(upper, 1);
        for (const auto& b : boxes) mpfr_max(upper, upper, b.norm.upper(), MPFR_RNDU);
        out = LipschitzBound{make_interval(lower, upper, prec), count};
        mpfr_clear(upper);
    }
    mpfr_clear(lower);
    mpfr_clear(target);
    return out;
}

}  // namespace lpcert
