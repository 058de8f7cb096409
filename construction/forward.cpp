#include "construction/forward.hpp"

#include <algorithm>
#include <climits>
#include <map>

#include "construction/level_table.hpp"
#include "quadrature/errors.hpp"

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

mpq_rational affine(const WeightList& w, const Dyadic& bias, const std::vector<mpq_rational>& in) {
    mpq_rational acc = to_rational(bias);
    for (const auto& [k, wk] : w) acc += to_rational(wk) * in[static_cast<size_t>(k)];
    return acc;
}

}  // namespace

ExactForward::ExactForward(const Network& net) : net_(&net) {}

std::vector<mpq_rational> ExactForward::readouts(const std::vector<mpq_rational>& x) const {
    std::vector<mpq_rational> out(static_cast<size_t>(net_->levels) + 1);
    for (const auto& r : net_->readouts)
        if (r.layer < 0) out[static_cast<size_t>(r.level)] = to_rational(r.bias);
    std::vector<mpq_rational> values = x, next;
    for (size_t k = 0; k < net_->layers.size(); ++k) {
        next.clear();
        for (const auto& n : net_->layers[k].neurons) {
            mpq_rational z = affine(n.weights, n.bias, values);
            switch (n.activation) {
                case Activation::ReLU: next.push_back(z > 0 ? z : mpq_rational(0)); break;
                case Activation::Floor: next.push_back(floor_of(z)); break;
                case Activation::Identity: next.push_back(z); break;
                case Activation::Sin2Pi: throw InputError("exact evaluation: sin2pi has no exact rational value");
            }
        }
        values.swap(next);
        for (const auto& r : net_->readouts)
            if (r.layer == static_cast<int>(k)) out[static_cast<size_t>(r.level)] = affine(r.weights, r.bias, values);
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

std::vector<ExtractionPair> find_pairs(const Layer& layer) {
    std::vector<ExtractionPair> pairs;
    const auto& ns = layer.neurons;
    for (size_t a = 0; a < ns.size(); ++a) {
        if (ns[a].activation != Activation::Floor || !ns[a].bias.is_zero()) continue;
        Dyadic w0;
        if (!common_weight(ns[a].weights, w0) || w0.sign() <= 0) continue;
        for (size_t c = 0; c < ns.size(); ++c) {
            if (c == a || ns[c].activation != Activation::Floor || !ns[c].bias.is_zero()) continue;
            Dyadic w1;
            if (!common_weight(ns[c].weights, w1) || ns[c].weights.size() != ns[a].weights.size()) continue;
            bool same_sources = true;
            for (size_t k = 0; k < ns[a].weights.size(); ++k)
                same_sources = same_sources && ns[a].weights[k].first == ns[c].weights[k].first;
            if (!same_sources) continue;
            // w1 = 2^b w0 with b >= 1
            if (w1.mantissa() != w0.mantissa() || w1.exponent() <= w0.exponent()) continue;
            ExtractionPair p{static_cast<int>(c), static_cast<int>(a), {}, w0, w1.exponent() - w0.exponent()};
            for (const auto& [k, wk] : ns[a].weights) p.sources.push_back(k);
            pairs.push_back(std::move(p));
        }
    }
    return pairs;
}

CompiledAffine compile_affine(const WeightList& w, const Dyadic& bias, const std::vector<ExtractionPair>& pairs,
                              bool kernel, Precision prec) {
    CompiledAffine out{{}, {}, bias.to_interval(prec)};
    std::map<int, Dyadic> weight_of;
    for (const auto& [k, wk] : w) weight_of[k] = wk;
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
        if (consumed.count(k) && consumed[k]) continue;
        out.terms.push_back(Term{k, wk.to_interval(prec), small_integer(wk)});
    }
    return out;
}

}  // namespace

struct IntervalForward::Impl {
    const Network* net;
    Precision prec;
    std::vector<CompiledLayer> layers;
    std::vector<CompiledReadout> readouts;
    std::vector<Interval> current, next, blocks_prev, blocks_cur, results;
    Interval acc, t;
    Interval scratch_zero_to_max;
    int recognised = 0;

    Impl(const Network& n, Precision p, bool kernel) : net(&n), prec(p), acc(p), t(p), scratch_zero_to_max(p) {
        std::vector<ExtractionPair> prev_pairs;   // pairs of the layer feeding the one being compiled
        for (size_t k = 0; k < n.layers.size(); ++k) {
            CompiledLayer cl;
            for (const auto& neuron : n.layers[k].neurons) {
                CompiledNeuron cn{neuron.activation, compile_affine(neuron.weights, neuron.bias, prev_pairs, kernel, p), false, Dyadic()};
                if (kernel && neuron.activation == Activation::Sin2Pi) {
                    cn.exact_reduction = common_weight(neuron.weights, cn.common_weight) && neuron.bias.is_zero();
                    if (cn.exact_reduction) recognised++;
                }
                cl.neurons.push_back(std::move(cn));
            }
            cl.pairs = kernel ? find_pairs(n.layers[k]) : std::vector<ExtractionPair>{};
            recognised += static_cast<int>(cl.pairs.size());
            prev_pairs = cl.pairs;
            layers.push_back(std::move(cl));
        }
        for (const auto& r : n.readouts) {
            const std::vector<ExtractionPair> none;
            const auto& pairs = r.layer >= 0 ? layers[static_cast<size_t>(r.layer)].pairs : none;
            readouts.push_back(CompiledReadout{r.level, r.layer, compile_affine(r.weights, r.bias, pairs, kernel, p)});
        }
        results.assign(static_cast<size_t>(n.levels) + 1, Interval(p));
    }

    // The exact value of an interval that is a single point, as a Dyadic; false otherwise.
    static bool exact_point(const Interval& v, Dyadic& out) {
        if (!v.is_point() || !v.is_finite()) return false;
        out = Dyadic::from_mpfr(v.lower());
        return true;
    }

    void sum_sources(Interval& s, const std::vector<int>& sources, const std::vector<Interval>& in) {
        mpfi_set_si(s.raw(), 0);
        for (int k : sources) add(s, s, in[static_cast<size_t>(k)]);
    }

    void evaluate_blocks(const CompiledLayer& layer, const std::vector<Interval>& in, std::vector<Interval>& blocks) {
        // in = the inputs of `layer` (values of the previous layer); blocks[p] = floor(2^b frac(w S)).
        blocks.resize(layer.pairs.size(), Interval(prec));
        for (size_t p = 0; p < layer.pairs.size(); ++p) {
            const auto& pr = layer.pairs[p];
            sum_sources(t, pr.sources, in);
            Dyadic s;
            if (exact_point(t, s)) {
                const mpz_int q = extract_fraction_bits(pr.omega, s, pr.b);
                mpfi_set_z(blocks[p].raw(), q.backend().data());
            } else {
                // floor(2^b z) - 2^b floor(z) lies in [0, 2^b - 1] for every real z
                mpz_int top = (mpz_int(1) << static_cast<unsigned>(pr.b)) - 1;
                Interval hi(prec);
                mpfi_set_z(hi.raw(), top.backend().data());
                mpfi_interv_si(blocks[p].raw(), 0, 0);
                mpfi_union(blocks[p].raw(), blocks[p].raw(), hi.raw());
            }
        }
    }

    void apply_affine(Interval& out, const CompiledAffine& a, const std::vector<Interval>& in,
                      const std::vector<Interval>& blocks) {
        mpfi_set(out.raw(), a.bias.raw());
        for (const auto& term : a.terms) {
            const Interval& v = in[static_cast<size_t>(term.source)];
            if (term.small == 1) {
                add(out, out, v);
            } else if (term.small == -1) {
                sub(out, out, v);
            } else {
                mul(t, term.weight, v);
                add(out, out, t);
            }
        }
        for (const auto& bt : a.blocks) {
            mul(t, bt.coefficient, blocks[static_cast<size_t>(bt.pair)]);
            add(out, out, t);
        }
    }

    // sin(2 pi w S) with S an exact point: frac(w S) from w's mantissa, to 2 prec bits plus a tail
    // in [0, 2^-(2 prec)).
    bool sin2pi_exact(Interval& out, const CompiledNeuron& n, const std::vector<Interval>& in) {
        Interval s(prec);
        mpfi_set_si(s.raw(), 0);
        for (const auto& term : n.affine.terms) add(s, s, in[static_cast<size_t>(term.source)]);
        Dyadic sd;
        if (!exact_point(s, sd)) return false;
        const long c = 2 * prec.bits;
        const mpz_int bits = extract_fraction_bits(n.common_weight, sd, c);
        // frac in [bits, bits + 1] * 2^-c
        Interval frac(Precision(c + 64));
        mpfi_set_z(frac.raw(), bits.backend().data());
        Interval one(1, Precision(c + 64));
        Interval upper(Precision(c + 64));
        add(upper, frac, one);
        mpfi_union(frac.raw(), frac.raw(), upper.raw());
        mpfi_mul_2si(frac.raw(), frac.raw(), -c);
        Interval two_pi(prec);
        set_pi(two_pi);
        mul_2si(two_pi, two_pi, 1);
        mul(out, frac, two_pi);
        sin(out, out);
        return true;
    }

    void activate(Interval& v, Activation a) {
        switch (a) {
            case Activation::ReLU:
                if (mpfr_sgn(v.lower()) < 0) mpfr_set_zero(&v.raw()->left, 1);
                if (mpfr_sgn(v.upper()) < 0) mpfr_set_zero(&v.raw()->right, 1);
                break;
            case Activation::Floor: floor(v, v); break;
            case Activation::Identity: break;
            case Activation::Sin2Pi: {
                Interval two_pi(prec);
                set_pi(two_pi);
                mul_2si(two_pi, two_pi, 1);
                mul(v, v, two_pi);
                sin(v, v);
                break;
            }
        }
    }

    const std::vector<Interval>& evaluate(const std::vector<Interval>& box, int up_to) {
        const int last_level = up_to < 0 ? net->levels : up_to;
        current.assign(box.size(), Interval(prec));
        for (size_t i = 0; i < box.size(); ++i) mpfi_set(current[i].raw(), box[i].raw());
        blocks_prev.clear();
        for (const auto& r : readouts)
            if (r.layer < 0) mpfi_set(results[static_cast<size_t>(r.level)].raw(), r.affine.bias.raw());
        for (size_t k = 0; k < layers.size(); ++k) {
            const CompiledLayer& layer = layers[k];
            next.resize(layer.neurons.size(), Interval(prec));
            for (size_t n = 0; n < layer.neurons.size(); ++n) {
                const CompiledNeuron& cn = layer.neurons[n];
                if (cn.exact_reduction && sin2pi_exact(next[n], cn, current)) continue;
                apply_affine(next[n], cn.affine, current, blocks_prev);
                activate(next[n], cn.activation);
            }
            evaluate_blocks(layer, current, blocks_cur);
            current.swap(next);
            blocks_prev.swap(blocks_cur);
            bool done = false;
            for (const auto& r : readouts) {
                if (r.layer != static_cast<int>(k)) continue;
                apply_affine(results[static_cast<size_t>(r.level)], r.affine, current, blocks_prev);
                if (r.level >= last_level) done = true;
            }
            if (done) break;
        }
        return results;
    }
};

IntervalForward::IntervalForward(const Network& net, Precision prec, bool kernel)
    : impl_(std::make_unique<Impl>(net, prec, kernel)) {}
IntervalForward::~IntervalForward() = default;
IntervalForward::IntervalForward(IntervalForward&&) noexcept = default;

const std::vector<Interval>& IntervalForward::evaluate(const std::vector<Interval>& box, int up_to) {
    return impl_->evaluate(box, up_to);
}

int IntervalForward::recognised_extractions() const { return impl_->recognised; }

}  // namespace lpcert
