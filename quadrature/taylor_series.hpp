#pragma once
// Truncated multivariate Taylor series with interval coefficients (interval automatic
// differentiation of any order), the engine of the higher-order quadrature enclosures and of the
// Lipschitz bounds.
//
// A Series in d variables of order n holds, for every multi-index alpha with |alpha| <= n, an
// interval c_alpha. Evaluating an Expression "about" a centre X (each X_i an interval, x_i = X_i +
// u_i) yields coefficients with the contract
//     c_alpha  contains  { (d^alpha f)(xi) / alpha!  :  xi in X }.
// With X a narrow interval around a point m this encloses the Taylor coefficients at m; with X a
// whole box B it encloses the derivatives over B, i.e. the Lagrange remainder terms of Taylor's
// theorem on B. Both are used by integration.cpp.
//
// Smoothness: a series exists only where f is n times differentiable on X. abs across 0, min/max
// of overlapping arguments, floor across an integer, sqrt or a real power at 0 make evaluate()
// return nullptr (the caller falls back to order 0). With Differentiability::Lipschitz and n = 1,
// abs/min/max instead give Clarke generalized gradients (valid for Lipschitz bounds).
// A value that is undefined (log of <= 0, a divisor containing 0) throws DomainError as in
// evaluation.hpp.

#include <array>
#include <cstdint>
#include <vector>

#include "quadrature/expression.hpp"
#include "quadrature/interval.hpp"

namespace lpcert {

class SeriesLayout {
public:
    static constexpr int kMaxDimension = 8;
    SeriesLayout(int dimension, int order);

    int dimension() const { return d_; }
    int order() const { return n_; }
    int size() const { return static_cast<int>(exponents_.size()); }
    const std::array<std::uint8_t, kMaxDimension>& exponents(int k) const { return exponents_[static_cast<size_t>(k)]; }
    int degree(int k) const { return degrees_[static_cast<size_t>(k)]; }
    int variable_index(int i) const { return variable_index_[static_cast<size_t>(i)]; }   // monomial u_i

    struct Product {
        int a, b, out;
    };
    // Every (a, b) with degree(a) + degree(b) <= order, ordered by the degree of the product
    // (stably: the products into one coefficient keep their order, so the sums do not depend on
    // how many of the products a caller uses).
    const std::vector<Product>& products() const { return products_; }
    // How many monomials have degree <= m (a prefix: they are graded by degree).
    size_t size_through_degree(int m) const { return size_through_[static_cast<size_t>(m)]; }
    // How many of products() have degree(out) <= m (a prefix).
    size_t products_through_degree(int m) const { return products_through_[static_cast<size_t>(m)]; }

private:
    int d_, n_;
    std::vector<std::array<std::uint8_t, kMaxDimension>> exponents_;
    std::vector<int> degrees_;
    std::vector<int> variable_index_;
    std::vector<Product> products_;
    std::vector<size_t> products_through_;
    std::vector<size_t> size_through_;
};

struct Series {
    std::vector<Interval> c;   // indexed like SeriesLayout's monomials; c[0] is the value
    // Every coefficient of a monomial of degree > `degree` is exactly 0 (0: a constant, whose
    // products are scalings; 1: affine, as a ReLU network between its kinks). The arithmetic
    // touches only the first size_through_degree(degree) coefficients.
    int degree = 0;
    bool constant() const { return degree == 0; }
};

enum class Differentiability { Smooth, Lipschitz };

// The range of each monomial u^b of `layout` over the centred box prod [-r_i, r_i] (`radius`):
// [-r^b, r^b] where some b_i is odd, [0, r^b] where every b_i is even and b != 0, [1, 1] for
// b = 0, rounded outward at prec. sum_b c_b range(u^b) then encloses a polynomial's range (or,
// with Lagrange coefficients over the box, a Taylor remainder's).
std::vector<Interval> monomial_ranges(const SeriesLayout& layout, const std::vector<Interval>& radius, Precision prec);

class SeriesEvaluator {
public:
    SeriesEvaluator(const Expression& e, const SeriesLayout& layout, Precision prec,
                    Differentiability mode = Differentiability::Smooth);
    // Taylor coefficients of f about `centre` (see above); nullptr when f is not smooth enough
    // there. The returned series lives until the next call.
    const Series* evaluate(const std::vector<Interval>& centre, const std::vector<Interval>& params = {});

    const SeriesLayout& layout() const { return *layout_; }

    // Forced branches (kink_enclosure.hpp): the min/max or abs at each listed slot takes its first
    // argument (branch 0; for abs: +a) or its second (branch 1; for abs: -a) whatever their
    // values, so evaluate() gives the series of the function that agrees with f where those
    // branches win (smooth on a box where no other kink is met). Empty: none (the default).
    struct ForcedBranch {
        int slot, branch;
        // Optional, for abs: an enclosure of the branch's value (+a or -a) over every point where
        // the series is taken (the box, or a centre inside it), such as its centred form; the
        // series' constant term is intersected with it, so that a power of the branch sees a
        // positive base where the natural range alone would reach 0.
        const Interval* value = nullptr;
    };
    void force_branches(const std::vector<ForcedBranch>& list) { forced_.assign(list.begin(), list.end()); }
    // As evaluate(), running the tape from slot `first_slot` on: the slots before it must hold
    // this evaluator's results of an earlier call with the same centre and parameters (and the
    // same forced branches among them).
    const Series* evaluate_from(int first_slot, const std::vector<Interval>& centre, const std::vector<Interval>& params = {});
    // As evaluate_from(), but only the slots first_slot..end_slot-1 (the arguments of the operation
    // at end_slot, say): true when they all have series (then failed_slot() is -1). The slots from
    // end_slot on are left as they were, so the next run must start at or before end_slot.
    bool evaluate_range(int first_slot, int end_slot, const std::vector<Interval>& centre, const std::vector<Interval>& params = {});
    // After evaluate() returned nullptr: the slot whose operation had no series; -1 otherwise.
    int failed_slot() const { return failed_slot_; }
    // After evaluate(): the series of any slot the run reached (for a failed run, those before
    // failed_slot()).
    const Series& slot_series(int slot) const { return slots_.at(static_cast<size_t>(slot)); }

private:
    friend struct SeriesDomain;
    const Expression* e_;
    const SeriesLayout* layout_;
    Precision prec_;
    Differentiability mode_;
    std::vector<Interval> constants_;
    std::vector<Series> slots_;
    Series t1_, t2_, t3_, t4_;        // scratch series
    std::vector<Interval> g_;         // scratch derivative coefficients g^(k)(u0)/k!
    Interval s1_, s2_, s3_;           // scratch scalars
    std::vector<std::vector<long>> tan_polys_, tanh_polys_, atan_polys_;
    std::vector<ForcedBranch> forced_;
    int failed_slot_ = -1;
    const ForcedBranch* forced_at(int slot) const {
        for (const auto& f : forced_)
            if (f.slot == slot) return &f;
        return nullptr;
    }
};

}  // namespace lpcert
