#include "construction/affine_pieces.hpp"

#include <algorithm>

#include "quadrature/interval.hpp"

namespace lpcert {

namespace {

using boost::multiprecision::mpz_int;

// An exact affine function of x: c + s x.
struct AffineForm {
    Dyadic c, s;
    Dyadic at(const Dyadic& x) const { return c + s * x; }
};

// More integers than this crossed by one floor neuron on a piece: the piece stays a kink piece.
constexpr long kMaxFloorCuts = 64;

class PieceFinder {
public:
    PieceFinder(const Network& net, int readout, Precision prec, const AffinePieceLimits& limits, const StopToken& stop)
        : net_(net), readout_(net.readouts[static_cast<size_t>(readout)]), prec_(prec), limits_(limits), stop_(stop) {
        // the neurons the readout depends on, layer by layer (backwards from the readout)
        needed_.resize(net.layers.size());
        for (size_t k = 0; k < net.layers.size(); ++k) needed_[k].assign(net.layers[k].neurons.size(), false);
        if (readout_.layer >= 0)
            for (const auto& [src, w] : readout_.weights) needed_[static_cast<size_t>(readout_.layer)][static_cast<size_t>(src)] = true;
        for (size_t k = net.layers.size(); k-- > 1;)
            for (size_t j = 0; j < net.layers[k].neurons.size(); ++j)
                if (needed_[k][j])
                    for (const auto& [src, w] : net.layers[k].neurons[j].weights) needed_[k - 1][static_cast<size_t>(src)] = true;
    }

    bool applicable() const {
        if (net_.d != 1) return false;
        for (size_t k = 0; k < net_.layers.size(); ++k)
            for (size_t j = 0; j < net_.layers[k].neurons.size(); ++j) {
                if (!needed_[k][j]) continue;
                const Activation a = net_.layers[k].neurons[j].activation;
                if (a != Activation::ReLU && a != Activation::Identity && a != Activation::Floor) return false;
            }
        return true;
    }

    // Appends the pieces of [a, b] to out; false when the budget is exceeded.
    bool refine(const Dyadic& a, const Dyadic& b, std::vector<AffinePiece>& out) {
        if (static_cast<long>(out.size()) >= limits_.max_pieces) return false;
        stop_.throw_if_stop_requested();
        std::vector<AffineForm> previous{AffineForm{Dyadic(0), Dyadic(1)}};   // layer -1: x itself
        // the readout reads layer readout_.layer: the layers after it do not matter
        const size_t layers = static_cast<size_t>(readout_.layer + 1);
        for (size_t k = 0; k < layers; ++k) {
            const auto& neurons = net_.layers[k].neurons;
            std::vector<AffineForm> current(neurons.size());
            std::vector<std::pair<Dyadic, Dyadic>> cuts;   // [t_lo, t_hi] around each zero inside (a, b)
            for (size_t j = 0; j < neurons.size(); ++j) {
                if (!needed_[k][j]) continue;
                const Neuron& n = neurons[j];
                AffineForm z{n.bias, Dyadic(0)};
                products_ += static_cast<long>(n.weights.size());
                if (products_ > limits_.max_products) return false;
                for (const auto& [src, w] : n.weights) {
                    const AffineForm& y = previous[static_cast<size_t>(src)];
                    z.c = z.c + w * y.c;
                    z.s = z.s + w * y.s;
                }
                if (n.activation == Activation::Identity) {
                    current[j] = z;
                    continue;
                }
                if (n.activation == Activation::Floor) {
                    // floor(z) = k on [a, b] up to one end when z stays in [k, k + 1] there (z affine:
                    // its range is [min, max] of the ends); else a cut at each integer strictly inside
                    const Dyadic za = z.at(a), zb = z.at(b);
                    const Dyadic& lo = za < zb ? za : zb;
                    const Dyadic& hi = za < zb ? zb : za;
                    const mpz_int step = lo.floor();
                    if (!(Dyadic(step, 0) + Dyadic(1) < hi)) {
                        current[j] = AffineForm{Dyadic(step, 0), Dyadic(0)};
                        continue;
                    }
                    if ((hi - lo).floor() > kMaxFloorCuts) {
                        // a steep ramp through many integers (digit extraction): left to the
                        // quadrature as one kink piece (it is thin wherever such ramps are)
                        out.push_back(kink_piece(a, b));
                        return static_cast<long>(out.size()) <= limits_.max_pieces;
                    }
                    for (mpz_int i = step + 1; Dyadic(i, 0) < hi; ++i)   // lo < step + 1 <= i < hi
                        cuts.push_back(cut_around_zero(AffineForm{z.c - Dyadic(i, 0), z.s}, a, b));
                    continue;
                }
                const int sa = z.at(a).sign(), sb = z.at(b).sign();
                if (sa >= 0 && sb >= 0) {
                    current[j] = z;                       // relu(z) = z on [a, b]
                } else if (sa <= 0 && sb <= 0) {
                    current[j] = AffineForm{};            // relu(z) = 0 on [a, b]
                } else {
                    cuts.push_back(cut_around_zero(z, a, b));
                }
            }
            if (!cuts.empty()) return split(a, b, cuts, out);
            previous = std::move(current);
        }
        AffinePiece piece{a, b, true, readout_.bias, Dyadic(0)};
        if (readout_.layer >= 0)
            for (const auto& [src, w] : readout_.weights) {
                const AffineForm& y = previous[static_cast<size_t>(src)];
                piece.intercept = piece.intercept + w * y.c;
                piece.slope = piece.slope + w * y.s;
            }
        out.push_back(std::move(piece));
        return true;
    }

private:
    static AffinePiece kink_piece(const Dyadic& lo, const Dyadic& hi) { return AffinePiece{lo, hi, false, Dyadic(0), Dyadic(0)}; }

    // Dyadics t_lo < x* < t_hi around the zero x* = -c/s of z (s != 0: z changes sign strictly
    // inside (a, b)), at most ~2^-(prec/2) (b - a) away from it, clipped to [a, b].
    std::pair<Dyadic, Dyadic> cut_around_zero(const AffineForm& z, const Dyadic& a, const Dyadic& b) const {
        Interval x = z.c.to_interval(prec_);
        Interval s = z.s.to_interval(prec_);
        div(x, x, s);
        neg(x, x);
        const Dyadic width = b - a;
        const long e = width.mantissa_bits() + width.exponent() - 1 - static_cast<long>(prec_.bits / 2);
        const Dyadic gap = Dyadic::power_of_two(e);
        const mpz_int down = Dyadic::from_mpfr(x.lower()).times_power_of_two(-e).floor();
        const mpz_int up = -((-Dyadic::from_mpfr(x.upper())).times_power_of_two(-e).floor());
        Dyadic t_lo = Dyadic(down, e) - gap;   // <= lower(x) - gap < x*
        Dyadic t_hi = Dyadic(up, e) + gap;     // >= upper(x) + gap > x*
        if (t_lo < a) t_lo = a;
        if (b < t_hi) t_hi = b;
        return {std::move(t_lo), std::move(t_hi)};
    }

    // Cuts [a, b] at the merged [t_lo, t_hi] intervals: those become kink pieces, the gaps between
    // them are refined again (their neurons of this layer keep one sign now).
    bool split(const Dyadic& a, const Dyadic& b, std::vector<std::pair<Dyadic, Dyadic>>& cuts, std::vector<AffinePiece>& out) {
        std::sort(cuts.begin(), cuts.end(), [](const auto& u, const auto& v) { return u.first < v.first; });
        std::vector<std::pair<Dyadic, Dyadic>> merged;
        for (auto& c : cuts) {
            if (!merged.empty() && !(merged.back().second < c.first)) {
                if (merged.back().second < c.second) merged.back().second = c.second;
            } else {
                merged.push_back(std::move(c));
            }
        }
        Dyadic from = a;
        for (const auto& [lo, hi] : merged) {
            if (from < lo && !refine(from, lo, out)) return false;
            out.push_back(kink_piece(lo, hi));
            from = hi;
        }
        if (from < b && !refine(from, b, out)) return false;
        return static_cast<long>(out.size()) <= limits_.max_pieces;
    }

    const Network& net_;
    const Readout& readout_;
    Precision prec_;
    const AffinePieceLimits& limits_;
    const StopToken& stop_;
    long products_ = 0;
    std::vector<std::vector<bool>> needed_;
};

}  // namespace

std::optional<std::vector<AffinePiece>> affine_pieces(const Network& net, int readout, const Dyadic& lo, const Dyadic& hi,
                                                      Precision prec, const AffinePieceLimits& limits,
                                                      const StopToken& stop) {
    if (readout < 0 || readout >= static_cast<int>(net.readouts.size()) || !(lo < hi) || prec.bits < 32) return std::nullopt;
    PieceFinder finder(net, readout, prec, limits, stop);
    if (!finder.applicable()) return std::nullopt;
    std::vector<AffinePiece> pieces;
    if (!finder.refine(lo, hi, pieces)) return std::nullopt;
    return pieces;
}

}  // namespace lpcert
