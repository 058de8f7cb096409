#include "construction/forward.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "construction/level_table.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/real.hpp"

namespace lpcert {

using boost::multiprecision::mpq_rational;
using boost::multiprecision::mpz_int;

// ---- exact ----------------------------------------------------------------------------------------

namespace {

mpq_rational to_rational(const Dyadic& w) {
    mpq_rational q;
    w.to_mpq(q.backend().data());
    return q;
}

mpq_rational floor_of(const mpq_rational& v) {
    mpz_int f;
    mpz_fdiv_q(f.backend().data(), mpq_numref(v.backend().data()), mpq_denref(v.backend().data()));
    return mpq_rational(f);
}

// The readout of each level: the first one listed (Network::readout), in layer order.
std::vector<const Readout*> readout_per_level(const Network& net) {
    std::vector<const Readout*> out;
    for (int l = 0; l <= net.levels; ++l) out.push_back(&net.readout(l));
    return out;
}

mpq_rational affine(const WeightList& w, const Dyadic& bias, const std::vector<mpq_rational>& in) {
    mpq_rational acc = to_rational(bias);
    for (const auto& [k, wk] : w) acc += to_rational(wk) * in[static_cast<size_t>(k)];
    return acc;
}

}  // namespace

ExactForward::ExactForward(const Network& net) : net_(&net) {}

std::vector<mpq_rational> ExactForward::readouts(const std::vector<mpq_rational>& x) const {
    std::vector<mpq_rational> out(static_cast<size_t>(net_->levels) + 1);
    const std::vector<const Readout*> chosen = readout_per_level(*net_);
    for (const Readout* r : chosen)
        if (r->layer < 0) out[static_cast<size_t>(r->level)] = to_rational(r->bias);
    std::vector<mpq_rational> values = x, next;
    for (size_t k = 0; k < net_->layers.size(); ++k) {
        next.clear();
        for (const auto& n : net_->layers[k].neurons) {
            mpq_rational z = affine(n.weights, n.bias, values);
            switch (n.activation) {
                case Activation::ReLU: next.push_back(z > 0 ? z : mpq_rational(0)); break;
                case Activation::Floor: next.push_back(floor_of(z)); break;
                case Activation::Identity: next.push_back(z); break;
                case Activation::Sin2Pi:
                case Activation::Tanh:
                case Activation::Sigmoid:
                case Activation::Softplus:
                case Activation::Sin:
                case Activation::Cos:
                    throw InputError(std::string("exact evaluation: ") + activation_name(n.activation) +
                                     " has no exact rational value");
            }
        }
        values.swap(next);
        for (const Readout* r : chosen)
            if (r->layer == static_cast<int>(k)) out[static_cast<size_t>(r->level)] = affine(r->weights, r->bias, values);
    }
    return out;
}

// ---- interval ---------------------------------------------------------------------------------------

namespace {

struct Term {
    int source;
    Interval weight;
    int small;   // the weight as a small integer (+-1, +-2, ...) when exactly one, else 0
};

struct BlockTerm {
    int pair;          // index into the producing layer's pairs
    Interval coefficient;
};

struct CompiledAffine {
    std::vector<Term> terms;
    std::vector<BlockTerm> blocks;
    Interval bias;
};

struct CompiledNeuron {
    Activation activation;
    CompiledAffine affine;
    // sin2pi with argument w * S (all weights equal to w): exact reduction modulo 1
    bool exact_reduction = false;
    Dyadic common_weight;
};

struct ExtractionPair {
    int q1, q0;
    std::vector<int> sources;
    Dyadic omega;
    long b;
};

struct CompiledLayer {
    std::vector<CompiledNeuron> neurons;
    std::vector<ExtractionPair> pairs;   // pairs whose floors live in THIS layer
};

struct CompiledReadout {
    int level, layer;
    CompiledAffine affine;
};

int small_integer(const Dyadic& w) {
    if (w.exponent() < 0 || w.exponent() > 20) return 0;
    if (boost::multiprecision::abs(w.mantissa()) > 1024) return 0;
    const mpz_int v = w.mantissa() << static_cast<unsigned>(w.exponent());
    if (boost::multiprecision::abs(v) > 1 << 20) return 0;
    return v.convert_to<int>();
}

// All weights equal: returns true and the common weight.
bool common_weight(const WeightList& w, Dyadic& out) {
    if (w.empty()) return false;
    for (const auto& [k, wk] : w)
        if (wk != w.front().second) return false;
    out = w.front().second;
    return true;
}

// floor(2^c frac(omega s)), exactly. An integer product (exponents summing to >= 0, or a zero
// factor) has fraction 0: answered here, without shifting its mantissa by the exponent (a huge
// weight would otherwise make an integer of that many bits).
mpz_int fraction_bits(const Dyadic& omega, const Dyadic& s, long c) {
    if (omega.is_zero() || s.is_zero() || omega.exponent() + s.exponent() >= 0) return mpz_int(0);
    return extract_fraction_bits(omega, s, c);
}

// The canonical form of a weight list, the only form the interval pass compiles: a source listed
// several times gets the exact (Dyadic) sum of its weights, at the place of its first listing,
// and sources whose weight is then zero are dropped (0 * v = 0 for every finite v). Each source
// appears at most once afterwards, so the extraction-pair detection, the consumer's match
// a*Q1 - a*2^b*Q0, common_weight (sin2pi's exact reduction) and the term ordering all see the
// same affine map the network file states (sum of every listed term).
WeightList canonical_weights(const WeightList& w) {
    WeightList out;
    std::map<int, size_t> at;
    for (const auto& [k, wk] : w) {
        const auto it = at.find(k);
        if (it == at.end()) {
            at.emplace(k, out.size());
            out.emplace_back(k, wk);
        } else {
            out[it->second].second = out[it->second].second + wk;
        }
    }
    out.erase(std::remove_if(out.begin(), out.end(), [](const auto& e) { return e.second.is_zero(); }), out.end());
    return out;
}

std::vector<int> sorted_sources(const WeightList& w) {
    std::vector<int> s;
    for (const auto& [k, wk] : w) s.push_back(k);
    std::sort(s.begin(), s.end());
    return s;
}

// Pairs Q1 = floor(2^b w S), Q0 = floor(w S) of one layer (canonical weight lists: each source
// once, no zero weight; the source SETS must agree, in any listed order).
std::vector<ExtractionPair> find_pairs(const Layer& layer) {
    std::vector<ExtractionPair> pairs;
    const auto& ns = layer.neurons;
    for (size_t a = 0; a < ns.size(); ++a) {
        if (ns[a].activation != Activation::Floor || !ns[a].bias.is_zero()) continue;
        Dyadic w0;
        if (!common_weight(ns[a].weights, w0) || w0.sign() <= 0) continue;
        const std::vector<int> sources = sorted_sources(ns[a].weights);
        for (size_t c = 0; c < ns.size(); ++c) {
            if (c == a || ns[c].activation != Activation::Floor || !ns[c].bias.is_zero()) continue;
            Dyadic w1;
            if (!common_weight(ns[c].weights, w1) || ns[c].weights.size() != ns[a].weights.size()) continue;
            if (sorted_sources(ns[c].weights) != sources) continue;
            // w1 = 2^b w0 with b >= 1 (both canonical Dyadics: odd mantissas)
            if (w1.mantissa() != w0.mantissa() || w1.exponent() <= w0.exponent()) continue;
            pairs.push_back(ExtractionPair{static_cast<int>(c), static_cast<int>(a), sources, w0, w1.exponent() - w0.exponent()});
        }
    }
    return pairs;
}

// w must be canonical (canonical_weights): one weight per source, none zero.
CompiledAffine compile_affine(const WeightList& w, const Dyadic& bias, const std::vector<ExtractionPair>& pairs,
                              bool kernel, Precision prec) {
    CompiledAffine out{{}, {}, bias.to_interval(prec)};
    std::map<int, Dyadic> weight_of;
    for (const auto& [k, wk] : w) {
        if (!weight_of.emplace(k, wk).second || wk.is_zero()) throw std::logic_error("compile_affine: weights not canonical");
    }
    std::map<int, bool> consumed;
    if (kernel) {
        for (size_t p = 0; p < pairs.size(); ++p) {
            const auto& pr = pairs[p];
            auto i1 = weight_of.find(pr.q1), i0 = weight_of.find(pr.q0);
            if (i1 == weight_of.end() || i0 == weight_of.end() || consumed[pr.q1] || consumed[pr.q0]) continue;
            // a Q1 - a 2^b Q0
            if (i0->second != -(i1->second * Dyadic::power_of_two(pr.b))) continue;
            out.blocks.push_back(BlockTerm{static_cast<int>(p), i1->second.to_interval(prec)});
            consumed[pr.q1] = consumed[pr.q0] = true;
        }
    }
    // Largest weights first, right after the bias: in the gates, -M + M s_j - M s_{j+1} cancels
    // exactly before the small term 2^(cj) E is added, so an exact point stays a point at any
    // working precision (the other order would round -M + E first).
    WeightList ordered = w;
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        const long ma = a.second.is_zero() ? LONG_MIN : a.second.mantissa_bits() + a.second.exponent();
        const long mb = b.second.is_zero() ? LONG_MIN : b.second.mantissa_bits() + b.second.exponent();
        return ma > mb;
    });
    for (const auto& [k, wk] : ordered) {
        if (consumed.count(k) && consumed[k]) continue;   // its whole weight is in a block
        out.terms.push_back(Term{k, wk.to_interval(prec), small_integer(wk)});
    }
    return out;
}

}  // namespace

// ---- the activations of general networks (tanh, sigmoid, softplus, sin, cos) ----------------------------
namespace {

// sigmoid(z) = 1 / (1 + exp(-z)) on a point interval z (z appears once: the enclosure is tight).
void sigmoid_point(Interval& out, const Interval& z) {
    Interval e(z.precision());
    neg(e, z);
    exp(e, e);
    add_si(e, e, 1);
    Interval one(1, z.precision());
    div(out, one, e);
}

// softplus(z) = log(1 + exp(z)); for z > 0 as z + log(1 + exp(-z)), so exp never overflows.
void softplus_point(Interval& out, const Interval& z) {
    Interval e(z.precision());
    const bool positive = mpfr_sgn(z.lower()) > 0;
    if (positive) neg(e, z); else mpfi_set(e.raw(), z.raw());
    exp(e, e);
    add_si(e, e, 1);
    log(e, e);
    if (positive) add(e, e, z);
    mpfi_set(out.raw(), e.raw());
}

// f increasing: f([lo, hi]) is within [lower end of f(lo), upper end of f(hi)], each endpoint
// evaluated as a point interval (outward). Infinite endpoints take the limits at_minus / at_plus
// (NaN: +infinity).
template <class F>
void increasing(Interval& t, F f, double at_minus, double at_plus) {
    const Precision prec = t.precision();
    Interval lo(prec), hi(prec), fl(prec), fh(prec);
    mpfr_t l, h;
    mpfr_init2(l, mpfr_get_prec(t.lower()));
    mpfr_init2(h, mpfr_get_prec(t.upper()));
    mpfr_set(l, t.lower(), MPFR_RNDD);
    mpfr_set(h, t.upper(), MPFR_RNDU);
    if (mpfr_inf_p(l)) {
        mpfi_set_d(fl.raw(), at_minus);
    } else {
        mpfi_set_fr(lo.raw(), l);
        f(fl, lo);
    }
    if (mpfr_inf_p(h)) {
        mpfi_set_d(fh.raw(), std::isnan(at_plus) ? 0.0 : at_plus);   // only the upper end is used
        if (std::isnan(at_plus)) mpfr_set_inf(&fh.raw()->right, 1);
    } else {
        mpfi_set_fr(hi.raw(), h);
        f(fh, hi);
    }
    mpfr_clear(l);
    mpfr_clear(h);
    mpfi_interv_fr(t.raw(), &fl.raw()->left, &fh.raw()->right);
}

}  // namespace

// A value over the box as an affine form c + sum_i a_i u_i (u_i = x_i - centre_i, |u_i| <= r_i)
// with interval coefficients: exact linear cancellations (the ramps' P_ij - M_ij = 1, the
// gates' -M + M s_j - M s_{j+1}) survive, where plain interval arithmetic would lose them.
struct Form {
    Interval c;
    std::vector<Interval> a;
    bool constant = true;   // every a_i is zero
};

struct IntervalForward::Impl {
    const Network* net;
    Precision prec;
    int d;
    std::vector<CompiledLayer> layers;
    std::vector<CompiledReadout> readouts;
    std::vector<Form> current, next;
    std::vector<Interval> blocks_prev, blocks_cur, results;
    std::vector<Interval> centre;   // encloses the box's exact midpoint m_i (the point of a point side)
    std::vector<Interval> shift;    // restore's m' - m, enclosed
    std::vector<Real> half_width;   // r_i rounded up (0 for a point side)
    // need[j]: the deepest layer a readout of a level <= j reads (-1: none, only the inputs)
    std::vector<int> need;
    // An activation of the layer being evaluated replaced a form that varies over the box by a
    // constant interval wider than a point (a floor or relu whose decision is open there): the
    // layer is not worth keeping for boxes inside this one.
    bool loose = false;
    long nested = 0;   // evaluate_level calls that resumed from a kept state
    // The state of a pass over a box after one of its layers, kept for nested passes over boxes
    // inside it (evaluate_level): the last layer, up to the level's need[j], before the first
    // loose one. Invariant: for every x in the box (sides, stored exactly), the value of neuron n
    // of that layer at x lies in forms[n] at u = x - m, m the box's midpoint (enclosed by centre),
    // and blocks encloses the extraction blocks of that layer.
    struct LevelState {
        int layer = -1;   // the layer whose forms are kept (-1: the inputs)
        std::vector<Form> forms;
        size_t count = 0;
        std::vector<Interval> blocks, sides, centre;
        bool valid = false;
    };
    std::vector<LevelState> saved;
    Real term_bound;
    Interval t, end_lo, end_hi;
    Form sum, out;
    int recognised = 0;

    // The per-pass storage (current, next, blocks_*) only grows: an evaluation reuses the Forms and
    // Intervals of the previous one (all at `prec`) instead of allocating d + 1 MPFI numbers per
    // neuron per pass; entries beyond a layer's width are never read (sources index into the
    // layer that produced them).
    Impl(const Network& n, Precision p, bool kernel)
        : net(&n), prec(p), d(n.d), term_bound(p), t(p), end_lo(p), end_hi(p), sum(make_form()), out(make_form()) {
        std::vector<ExtractionPair> prev_pairs;   // pairs of the layer feeding the one being compiled
        for (size_t k = 0; k < n.layers.size(); ++k) {
            Layer layer = n.layers[k];   // canonical weight lists: everything below reads these
            for (auto& neuron : layer.neurons) neuron.weights = canonical_weights(neuron.weights);
            CompiledLayer cl;
            for (const auto& neuron : layer.neurons) {
                CompiledNeuron cn{neuron.activation, compile_affine(neuron.weights, neuron.bias, prev_pairs, kernel, p), false, Dyadic()};
                if (kernel && neuron.activation == Activation::Sin2Pi) {
                    // argument w * (sum of the terms' sources): every weight equal, no bias, and
                    // nothing folded into an extraction block
                    cn.exact_reduction = common_weight(neuron.weights, cn.common_weight) && neuron.bias.is_zero() &&
                                         cn.affine.blocks.empty() && cn.affine.terms.size() == neuron.weights.size();
                    if (cn.exact_reduction) recognised++;
                }
                cl.neurons.push_back(std::move(cn));
            }
            cl.pairs = kernel ? find_pairs(layer) : std::vector<ExtractionPair>{};
            recognised += static_cast<int>(cl.pairs.size());
            prev_pairs = cl.pairs;
            layers.push_back(std::move(cl));
        }
        // one readout per level, the one Network::readout returns (a file may list more)
        for (const Readout* r : readout_per_level(n)) {
            const std::vector<ExtractionPair> none;
            const auto& pairs = r->layer >= 0 ? layers[static_cast<size_t>(r->layer)].pairs : none;
            readouts.push_back(CompiledReadout{r->level, r->layer, compile_affine(canonical_weights(r->weights), r->bias, pairs, kernel, p)});
        }
        results.assign(static_cast<size_t>(n.levels) + 1, Interval(p));
        half_width.reserve(static_cast<size_t>(d));
        for (int i = 0; i < d; ++i) half_width.emplace_back(p);
        int deepest = -1;
        for (int j = 0; j <= n.levels; ++j) {
            deepest = std::max(deepest, readouts[static_cast<size_t>(j)].layer);
            need.push_back(deepest);
        }
        saved.resize(static_cast<size_t>(n.levels) + 1);
    }

    Form make_form() const { return Form{Interval(prec), std::vector<Interval>(static_cast<size_t>(d), Interval(prec)), true}; }

    void set_constant(Form& f, const Interval& v) {
        mpfi_set(f.c.raw(), v.raw());
        clear_slopes(f);
    }

    // f = 0 (a constant form), without a temporary
    static void set_zero(Form& f) {
        mpfi_set_si(f.c.raw(), 0);
        clear_slopes(f);
    }

    static void clear_slopes(Form& f) {
        if (!f.constant)
            for (auto& ai : f.a) mpfi_set_si(ai.raw(), 0);
        f.constant = true;
    }

    // Grows v to at least n entries (never shrinks: see the constructor).
    template <class T, class Make>
    static void ensure_size(std::vector<T>& v, size_t n, Make make) {
        if (v.size() < n) {
            v.reserve(n);
            while (v.size() < n) v.push_back(make());
        }
    }

    // Enclosure of the form's values over the box, c + sum_i a_i [-r_i, r_i]: each term is
    // [-|a_i| r_i, |a_i| r_i] with |a_i| r_i rounded up, the interval MPFI's product with the
    // zero-straddling [-r_i, r_i] gives, by one multiplication instead of four.
    void range(Interval& out, const Form& f) {
        mpfi_set(out.raw(), f.c.raw());
        if (f.constant) return;
        mpfr_ptr m = term_bound.raw();
        for (int i = 0; i < d; ++i) {
            magnitude_up(m, f.a[static_cast<size_t>(i)]);
            if (mpfr_zero_p(m)) continue;
            mpfr_mul(m, m, half_width[static_cast<size_t>(i)].raw(), MPFR_RNDU);
            mpfr_sub(&out.raw()->left, &out.raw()->left, m, MPFR_RNDD);
            mpfr_add(&out.raw()->right, &out.raw()->right, m, MPFR_RNDU);
        }
    }

    // The exact value of a constant point form, as a Dyadic; false otherwise.
    static bool exact_point(const Form& f, Dyadic& out) {
        if (!f.constant || !f.c.is_point() || !f.c.is_finite()) return false;
        out = Dyadic::from_mpfr(f.c.lower());
        return true;
    }

    void sum_sources(Form& s, const std::vector<int>& sources, const std::vector<Form>& in) {
        set_zero(s);
        for (int k : sources) add_scaled(s, in[static_cast<size_t>(k)], nullptr, 1);
        if (!s.constant && std::all_of(s.a.begin(), s.a.end(), [](const Interval& x) {
                return mpfr_zero_p(x.lower()) && mpfr_zero_p(x.upper());
            })) {
            s.constant = true;
        }
    }

    // out += w * v (w == nullptr: weight 1; small = +-1 shortcut sign)
    void add_scaled(Form& out, const Form& v, const Interval* w, int sign) {
        if (w == nullptr) {
            if (sign > 0) add(out.c, out.c, v.c); else sub(out.c, out.c, v.c);
        } else {
            mul(t, *w, v.c);
            add(out.c, out.c, t);
        }
        if (v.constant) return;
        out.constant = false;
        for (int i = 0; i < d; ++i) {
            Interval& oa = out.a[static_cast<size_t>(i)];
            const Interval& va = v.a[static_cast<size_t>(i)];
            if (w == nullptr) {
                if (sign > 0) add(oa, oa, va); else sub(oa, oa, va);
            } else {
                mul(t, *w, va);
                add(oa, oa, t);
            }
        }
    }

    void evaluate_blocks(const CompiledLayer& layer, const std::vector<Form>& in, std::vector<Interval>& blocks) {
        // in = the inputs of `layer`; blocks[p] = floor(2^b frac(w S)).
        ensure_size(blocks, layer.pairs.size(), [&] { return Interval(prec); });
        for (size_t p = 0; p < layer.pairs.size(); ++p) {
            const auto& pr = layer.pairs[p];
            sum_sources(sum, pr.sources, in);
            Dyadic s;
            // b comes from a file's exponents (up to 2^40): the exact block and 2^b - 1 are
            // formed only up to kExactBlockBits bits (no integer of b bits, no shift count cut
            // to 32 bits); beyond, 2^b is rounded up by MPFR (+inf past its exponent range, which
            // the next interval operation refuses with DomainError).
            constexpr long kExactBlockBits = 1L << 20;
            if (pr.b <= kExactBlockBits && exact_point(sum, s)) {
                const mpz_int q = fraction_bits(pr.omega, s, pr.b);
                mpfi_set_z(blocks[p].raw(), q.backend().data());
            } else if (pr.b <= kExactBlockBits) {
                if (!sum.constant) loose = true;
                // floor(2^b z) - 2^b floor(z) lies in [0, 2^b - 1] for every real z
                mpz_int top = (mpz_int(1) << static_cast<unsigned long>(pr.b)) - 1;
                Interval hi(prec);
                mpfi_set_z(hi.raw(), top.backend().data());
                mpfi_interv_si(blocks[p].raw(), 0, 0);
                mpfi_union(blocks[p].raw(), blocks[p].raw(), hi.raw());
            } else {
                if (!sum.constant) loose = true;
                mpfi_interv_si(blocks[p].raw(), 0, 0);
                mpfr_set_ui_2exp(&blocks[p].raw()->right, 1, pr.b, MPFR_RNDU);   // >= 2^b - 1
            }
        }
    }

    void apply_affine(Form& out, const CompiledAffine& a, const std::vector<Form>& in, const std::vector<Interval>& blocks) {
        set_constant(out, a.bias);
        for (const auto& term : a.terms) {
            const Form& v = in[static_cast<size_t>(term.source)];
            if (term.small == 1 || term.small == -1) {
                add_scaled(out, v, nullptr, term.small);
            } else {
                add_scaled(out, v, &term.weight, 1);
            }
        }
        for (const auto& bt : a.blocks) {
            mul(t, bt.coefficient, blocks[static_cast<size_t>(bt.pair)]);
            add(out.c, out.c, t);
        }
        // exact cancellation (a ramp difference, a closed gate) leaves a constant form
        if (!out.constant && std::all_of(out.a.begin(), out.a.end(), [](const Interval& x) {
                return mpfr_zero_p(x.lower()) && mpfr_zero_p(x.upper());
            })) {
            out.constant = true;
        }
    }

    // sin(2 pi w S) with S an exact point: frac(w S) from w's mantissa, to 2 prec bits plus a tail
    // in [0, 2^-(2 prec)).
    bool sin2pi_exact(Form& out, const CompiledNeuron& n, const std::vector<Form>& in) {
        std::vector<int> sources;
        for (const auto& term : n.affine.terms) sources.push_back(term.source);
        sum_sources(sum, sources, in);
        Dyadic sd;
        if (!exact_point(sum, sd)) {
            return false;
        }
        const long c = 2 * prec.bits;
        const mpz_int bits = fraction_bits(n.common_weight, sd, c);
        // frac in [bits, bits + 1] * 2^-c
        Interval frac(Precision(c + 64));
        mpfi_set_z(frac.raw(), bits.backend().data());
        Interval one(1, Precision(c + 64));
        Interval upper(Precision(c + 64));
        add(upper, frac, one);
        mpfi_union(frac.raw(), frac.raw(), upper.raw());
        mpfi_mul_2si(frac.raw(), frac.raw(), -c);
        Interval two_pi(prec), v(prec);
        set_pi(two_pi);
        mul_2si(two_pi, two_pi, 1);
        mul(v, frac, two_pi);
        sin(v, v);
        set_constant(out, v);
        return true;
    }

    void activate(Form& v, Activation act) {
        const bool varies = !v.constant;
        activate_form(v, act);
        if (varies && v.constant && !v.c.is_point()) loose = true;
    }

    void activate_form(Form& v, Activation act) {
        switch (act) {
            case Activation::Identity: return;
            case Activation::ReLU: {
                range(t, v);
                if (mpfr_sgn(t.lower()) >= 0) return;                 // identity on the box
                if (mpfr_sgn(t.upper()) <= 0) {                       // zero on the box
                    set_zero(v);
                    return;
                }
                mpfr_set_zero(&t.raw()->left, 1);
                set_constant(v, t);
                return;
            }
            case Activation::Floor: {
                range(t, v);
                floor(t, t);
                set_constant(v, t);
                return;
            }
            case Activation::Tanh:
                range(t, v);
                tanh(t, t);
                set_constant(v, t);
                return;
            case Activation::Sin:
            case Activation::Cos:
                range(t, v);
                if (act == Activation::Sin) sin(t, t); else cos(t, t);
                set_constant(v, t);
                return;
            case Activation::Sigmoid:
                range(t, v);
                increasing(t, sigmoid_point, 0.0, 1.0);
                set_constant(v, t);
                return;
            case Activation::Softplus:
                range(t, v);
                increasing(t, softplus_point, 0.0, std::numeric_limits<double>::quiet_NaN());
                set_constant(v, t);
                return;
            case Activation::Sin2Pi: {
                range(t, v);
                // sin(2 pi z) has period 1: a range of width >= 1 gives [-1, 1], and otherwise
                // the integer part is removed first (exactly: floor of an endpoint is
                // representable), so MPFI never reduces a huge argument modulo 2 pi.
                mpfr_t w;
                mpfr_init2(w, 64);
                width_up(w, t);
                const bool full_period = mpfr_cmp_si(w, 1) >= 0;
                mpfr_clear(w);
                if (full_period) {
                    mpfi_interv_si(t.raw(), -1, 1);
                    set_constant(v, t);
                    return;
                }
                Interval n(prec);
                mpfr_t whole;
                mpfr_init2(whole, mpfr_get_prec(t.lower()));
                mpfr_floor(whole, t.lower());
                mpfi_set_fr(n.raw(), whole);
                mpfr_clear(whole);
                sub(t, t, n);
                Interval two_pi(prec);
                set_pi(two_pi);
                mul_2si(two_pi, two_pi, 1);
                mul(t, t, two_pi);
                sin(t, t);
                set_constant(v, t);
                return;
            }
        }
    }

    // centre[i] encloses the box's exact midpoint m_i, half_width[i] >= its half side r_i (a point
    // side: its point, r_i = 0).
    void set_box(const std::vector<Interval>& box) {
        ensure_size(centre, box.size(), [&] { return Interval(prec); });
        for (size_t i = 0; i < box.size(); ++i) {
            if (box[i].is_point()) {
                set_exact_or_outward(centre[i], box[i].lower());
                mpfr_set_zero(half_width[i].raw(), 1);
                continue;
            }
            set_exact_or_outward(end_lo, box[i].lower());
            set_exact_or_outward(end_hi, box[i].upper());
            add(centre[i], end_lo, end_hi);
            mul_2si(centre[i], centre[i], -1);
            sub(t, end_hi, end_lo);
            mul_2si(t, t, -1);
            mpfr_set(half_width[i].raw(), t.upper(), MPFR_RNDU);
        }
    }

    // The inputs as forms: x_i = m_i + u_i, |u_i| <= r_i.
    void set_inputs(size_t count) {
        ensure_size(current, count, [&] { return make_form(); });
        for (size_t i = 0; i < count; ++i) {
            set_constant(current[i], centre[i]);
            if (!mpfr_zero_p(half_width[i].raw())) {
                mpfi_set_si(current[i].a[i].raw(), 1);
                current[i].constant = false;
            }
        }
    }

    // Layers first..last (inclusive) on `current` (the forms of layer first - 1), with the
    // readouts that read them. keep: saved there, the state before the first loose layer (or
    // after the last one).
    void run_layers(int first, int last, const std::vector<Interval>& box, LevelState* keep) {
        int k = first;
        for (; k <= last && k < static_cast<int>(layers.size()); ++k) {
            const CompiledLayer& layer = layers[static_cast<size_t>(k)];
            ensure_size(next, layer.neurons.size(), [&] { return make_form(); });
            loose = false;
            for (size_t n = 0; n < layer.neurons.size(); ++n) {
                const CompiledNeuron& cn = layer.neurons[n];
                if (cn.exact_reduction && sin2pi_exact(next[n], cn, current)) continue;
                apply_affine(next[n], cn.affine, current, blocks_prev);
                activate(next[n], cn.activation);
            }
            evaluate_blocks(layer, current, blocks_cur);
            if (loose && keep != nullptr) {
                save(*keep, box, k - 1);
                keep = nullptr;
            }
            current.swap(next);
            blocks_prev.swap(blocks_cur);
            for (const auto& r : readouts)
                if (r.layer == k) apply_readout(r);
        }
        if (keep != nullptr) save(*keep, box, k - 1);
    }

    void apply_readout(const CompiledReadout& r) {
        Interval& result = results[static_cast<size_t>(r.level)];
        if (r.layer < 0) {
            mpfi_set(result.raw(), r.affine.bias.raw());
            return;
        }
        apply_affine(out, r.affine, current, blocks_prev);
        range(result, out);
    }

    // Every layer up to need[last_level], the deepest a readout of a level <= last_level reads
    // (readouts may come in any layer order: stopping at the first readout of last_level would
    // leave lower levels stale), from the inputs of set_box's box.
    void full_pass(const std::vector<Interval>& box, int last_level, LevelState* keep) {
        set_inputs(box.size());
        for (const auto& r : readouts)
            if (r.layer < 0) apply_readout(r);
        run_layers(0, need[static_cast<size_t>(last_level)], box, keep);
    }

    const std::vector<Interval>& evaluate(const std::vector<Interval>& box, int up_to) {
        set_box(box);
        full_pass(box, up_to < 0 ? net->levels : up_to, nullptr);
        return results;
    }

    // The neurons of layer k (k = -1: the inputs).
    size_t width_of(int k, size_t inputs) const {
        return k < 0 ? inputs : layers[static_cast<size_t>(k)].neurons.size();
    }

    // Every side of box lies inside the saved box's (exact endpoint comparisons).
    static bool inside(const std::vector<Interval>& box, const LevelState& s) {
        if (box.size() != s.sides.size()) return false;
        for (size_t i = 0; i < box.size(); ++i)
            if (!mpfr_lessequal_p(s.sides[i].lower(), box[i].lower()) || !mpfr_lessequal_p(box[i].upper(), s.sides[i].upper()))
                return false;
        return true;
    }

    // Keeps `current` (the forms of `layer`, -1: the inputs) and blocks_prev over box.
    void save(LevelState& s, const std::vector<Interval>& box, int layer) {
        const size_t count = width_of(layer, box.size());
        s.valid = false;   // until every part below is written
        s.layer = layer;
        ensure_size(s.forms, count, [&] { return make_form(); });
        for (size_t n = 0; n < count; ++n) copy_form(s.forms[n], current[n]);
        s.count = count;
        copy_values(s.blocks, blocks_prev, blocks_prev.size());
        s.sides.resize(box.size(), Interval(prec));
        for (size_t i = 0; i < box.size(); ++i) s.sides[i] = box[i];   // exact copies (their own precision)
        copy_values(s.centre, centre, box.size());
        s.valid = true;
    }

    // to[0..n) = from[0..n), at `prec` (both are the pass's own intervals: nothing is rounded)
    void copy_values(std::vector<Interval>& to, const std::vector<Interval>& from, size_t n) {
        ensure_size(to, n, [&] { return Interval(prec); });
        for (size_t k = 0; k < n; ++k) mpfi_set(to[k].raw(), from[k].raw());
    }

    static void copy_form(Form& to, const Form& from) {
        mpfi_set(to.c.raw(), from.c.raw());
        if (from.constant) {
            clear_slopes(to);
            return;
        }
        for (size_t i = 0; i < from.a.size(); ++i) mpfi_set(to.a[i].raw(), from.a[i].raw());
        to.constant = false;
    }

    // The saved forms restricted to the current box (inside the saved one): with u = x - m over
    // the saved box and u' = x - m' over this one, c + a.u lies in (c + a.(m' - m)) + a.u', and
    // m' - m lies in centre' - centre (docs/math.md, "Cell values by nested passes").
    void restore(const LevelState& s) {
        ensure_size(shift, static_cast<size_t>(d), [&] { return Interval(prec); });
        for (int i = 0; i < d; ++i) sub(shift[static_cast<size_t>(i)], centre[static_cast<size_t>(i)], s.centre[static_cast<size_t>(i)]);
        ensure_size(current, s.count, [&] { return make_form(); });
        for (size_t n = 0; n < s.count; ++n) {
            Form& f = current[n];
            copy_form(f, s.forms[n]);
            if (f.constant) continue;
            for (int i = 0; i < d; ++i) {
                const size_t ii = static_cast<size_t>(i);
                if (mpfr_zero_p(f.a[ii].lower()) && mpfr_zero_p(f.a[ii].upper())) continue;
                mul(t, shift[ii], f.a[ii]);
                add(f.c, f.c, t);
            }
        }
        copy_values(blocks_prev, s.blocks, s.blocks.size());
    }

    const Interval& evaluate_level(const std::vector<Interval>& box, int level, bool keep) {
        if (level < 0 || level > net->levels) throw std::out_of_range("IntervalForward::evaluate_level: no such level");
        const size_t j = static_cast<size_t>(level);
        const CompiledReadout& r = readouts[j];
        LevelState* into = keep ? &saved[j] : nullptr;
        const LevelState& from = saved[j - (level > 0 ? 1 : 0)];
        set_box(box);
        if (level > 0 && from.valid && r.layer >= from.layer && inside(box, from)) {
            restore(from);
            nested++;
            if (r.layer == from.layer) apply_readout(r);   // it reads the restored layer
            run_layers(from.layer + 1, need[j], box, into);
        } else {
            full_pass(box, level, into);
        }
        return results[j];
    }
};

IntervalForward::IntervalForward(const Network& net, Precision prec, bool kernel)
    : impl_(std::make_unique<Impl>(net, prec, kernel)) {}
IntervalForward::~IntervalForward() = default;
IntervalForward::IntervalForward(IntervalForward&&) noexcept = default;

const std::vector<Interval>& IntervalForward::evaluate(const std::vector<Interval>& box, int up_to) {
    return impl_->evaluate(box, up_to);
}

const Interval& IntervalForward::evaluate_level(const std::vector<Interval>& box, int level, bool keep) {
    return impl_->evaluate_level(box, level, keep);
}

int IntervalForward::recognised_extractions() const { return impl_->recognised; }

long IntervalForward::nested_passes() const { return impl_->nested; }

}  // namespace lpcert
