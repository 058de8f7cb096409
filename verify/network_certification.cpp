#include "verify/network_certification.hpp"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <boost/multiprecision/gmp.hpp>
#include <chrono>
#include <stdexcept>

#include "construction/affine_pieces.hpp"
#include "construction/network_expression.hpp"
#include "quadrature/catalog.hpp"
#include "construction/network_io.hpp"
#include "construction/onnx_import.hpp"
#include "verify/certificate.hpp"
#include "verify/request_text.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/sup_norm.hpp"
#include "verify/certificate.hpp"
#include "verify/json_io.hpp"
#include "verify/sha256.hpp"

namespace lpcert {

using boost::multiprecision::mpz_int;

ExponentOrInfinity ExponentOrInfinity::parse(const std::string& text) {
    ExponentOrInfinity p;
    if (text == "inf") {
        p.infinite = true;
        return p;
    }
    p.finite = Exponent::parse(text);
    return p;
}

Dyadic dyadic_from_decimal(const std::string& text, const std::string& what) {
    parse_decimal(text, Precision(64), what);   // a decimal literal, in range
    const RationalConstant q(text);
    mpz_srcptr den = mpq_denref(q.value());
    const size_t k = mpz_sizeinbase(den, 2) - 1;
    if (mpz_scan1(den, 0) != k) {
        throw InputError(what + ": '" + text + "' is not a dyadic rational (M/2^k); box ends must be exact binary numbers");
    }
    mpz_int num;
    mpz_set(num.backend().data(), mpq_numref(q.value()));
    return Dyadic(num, -static_cast<long>(k));
}

std::string exact_decimal(const Dyadic& x) {
    if (x.exponent() >= 0) return mpz_int(x.mantissa() << static_cast<unsigned>(x.exponent())).str();
    const long k = -x.exponent();
    mpz_int m = x.mantissa();
    const bool negative = m < 0;
    if (negative) m = -m;
    mpz_int five;
    mpz_ui_pow_ui(five.backend().data(), 5, static_cast<unsigned long>(k));
    std::string digits = mpz_int(m * five).str();   // value = digits / 10^k
    if (static_cast<long>(digits.size()) <= k) digits = std::string(static_cast<size_t>(k) + 1 - digits.size(), '0') + digits;
    std::string out = digits.substr(0, digits.size() - static_cast<size_t>(k)) + "." + digits.substr(digits.size() - static_cast<size_t>(k));
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
    return (negative ? "-" : "") + out;
}

DyadicDomain parse_domain(const std::string& text, int d, const std::string& what) {
    DyadicDomain out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = text.find(',', start);
        const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const size_t colon = part.find(':');
        if (colon == std::string::npos) throw InputError(what + ": expected lo:hi for each input, separated by commas (got '" + part + "')");
        const Dyadic lo = dyadic_from_decimal(part.substr(0, colon), what);
        const Dyadic hi = dyadic_from_decimal(part.substr(colon + 1), what);
        if (!(lo < hi)) throw InputError(what + ": '" + part + "' is empty (need lo < hi)");
        out.emplace_back(lo, hi);
        if (out.size() > 8) break;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (static_cast<int>(out.size()) != d) {
        throw InputError(what + ": " + std::to_string(out.size()) + " intervals given, the network has " + std::to_string(d) + " inputs");
    }
    return out;
}

Box domain_box(const DyadicDomain& domain) {
    std::vector<Dyadic> lo, hi;
    for (const auto& [a, b] : domain) {
        lo.push_back(a);
        hi.push_back(b);
    }
    return Box::from_dyadics(lo, hi);
}

Network read_network_file(const std::string& path, std::string& format) {
    const std::string bytes = read_file_bytes(path);
    // by content: JSON starts with '{' (after blanks), anything else is read as an ONNX protobuf
    if (looks_like_json(bytes.substr(0, 64))) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(bytes);
        } catch (const nlohmann::json::exception& e) {
            throw InputError("network file '" + path + "': not valid JSON (" + std::string(e.what()) + ")");
        }
        format = "lpcert-json";
        return network_from_json(j);
    }
    format = "onnx";
    return import_onnx_bytes(bytes);
}

NetworkCertificationRequest network_request(const std::string& file, const std::optional<std::string>& function,
                                            const std::optional<std::string>& expression, const std::string& p,
                                            const std::string& domain, const std::string& tol, long precision_bits) {
    if (function && expression) throw InputError("give either --f or --function, not both");
    if (!function && !expression) throw InputError("missing target function: give --f EXPR or --function NAME");
    NetworkCertificationRequest q;
    q.file = file;
    q.net = read_network_file(q.file, q.format);
    q.sha256 = sha256_of_file(q.file);
    std::string text = expression.value_or("");
    if (function) {   // a catalog function, in the network's dimension
        const auto entry = find_in_catalog(*function);
        if (!entry) throw InputError("--function: unknown function '" + *function + "' (see `verify functions`)");
        if (q.net.d < entry->min_dimension || q.net.d > entry->max_dimension) {
            throw InputError("--function " + *function + ": needs d in " + std::to_string(entry->min_dimension) + ".." +
                             std::to_string(entry->max_dimension) + ", the network has " + std::to_string(q.net.d) + " inputs");
        }
        text = entry->expression(q.net.d);
    }
    q.function_label = function ? *function : text;
    q.f = Expression::parse(text);
    q.f.require_dimension(q.net.d);
    q.p = ExponentOrInfinity::parse(p);
    if (!domain.empty()) q.domain = parse_domain(domain, q.net.d);
    validate_tolerance(tol, "--tol");
    q.tol = tol;
    if (precision_bits != 0) check_precision_bits(precision_bits);
    q.precision_bits = precision_bits;
    return q;
}

long chosen_network_precision(const std::string& tol, const Network& net) {
    auto single = [](const Dyadic& w) {
        if (w.sign() == 0) return true;
        const long top = w.exponent() + w.mantissa_bits();   // |w| < 2^top
        return w.mantissa_bits() <= 24 && top <= 128 && top >= -125;
    };
    bool float32 = true;
    for (const auto& layer : net.layers)
        for (const auto& n : layer.neurons) {
            float32 = float32 && single(n.bias);
            for (const auto& [source, w] : n.weights) float32 = float32 && single(w);
        }
    for (const auto& r : net.readouts) {
        float32 = float32 && single(r.bias);
        for (const auto& [source, w] : r.weights) float32 = float32 && single(w);
    }
    // exact comparisons of the decimals (tol = 1e-8 itself is 64 bits)
    const RationalConstant t(tol);
    if (float32 && mpq_cmp(t.value(), RationalConstant("1e-8").value()) >= 0) return 64;
    if (mpq_cmp(t.value(), RationalConstant("1e-25").value()) >= 0) return 128;
    return 160;
}

const char* verdict_name(PairVerdict v) {
    switch (v) {
        case PairVerdict::Decreases: return "decreases";
        case PairVerdict::Increases: return "increases";
        case PairVerdict::Undecided: return "undecided";
    }
    return "?";
}

PairVerdict verdict_of(const Interval& from, const Interval& to) {
    if (certainly_less(to, from)) return PairVerdict::Decreases;
    if (certainly_less(from, to)) return PairVerdict::Increases;
    return PairVerdict::Undecided;
}

bool NetworkCertificationOutcome::all_decided() const {
    if (!complete) return false;
    for (auto v : verdicts)
        if (v == PairVerdict::Undecided) return false;
    return true;
}

namespace {

// Absolute floors of the goals: a norm that is 0 (f = Phi_i exactly) has no relative goal, and its
// enclosure would refine until the budget is spent. Below these the goal is absolute: width <=
// tol * 1e-30 for int |g|^p, tol * 1e-15 for sup |g|. Goals only: every enclosure stays true.
const char* const kIntegralFloor = "1e-30";
const char* const kSupFloor = "1e-15";

struct NormEnclosureResult {
    Interval value;
    std::string status;
    long boxes = 0;
};

// tol * num / den as a decimal, rounded down (a smaller goal is a stricter one).
std::string scaled_tolerance(const std::string& tol, long num, long den) {
    Interval t = parse_decimal(tol, Precision(64), "tol");
    mpfi_mul_si(t.raw(), t.raw(), num);
    mpfi_div_si(t.raw(), t.raw(), den);
    return decimal_down(t.lower(), 6);
}

// The Taylor order of the whole-domain quadratures: single_domain_taylor_order(d), except in the
// plane for a network whose every activation is analytic (tanh, sigmoid, softplus, sin, cos,
// identity), where order 8 pays: tanh 2-32-32-32-1 at 1e-6 in 26.5 s against 42.8 s at order 6
// (128 bits). Where ReLU kinks cut the boxes, order 6 is faster (ReLU 2-200-1: 9.3 s against
// 11.7 s at 8): the kink form's regions cost more coefficients than they save boxes.
int network_taylor_order(const Network& net, int d) {
    if (d != 2) return single_domain_taylor_order(d);
    for (const auto& layer : net.layers)
        for (const auto& n : layer.neurons)
            if (n.activation == Activation::ReLU || n.activation == Activation::Floor || n.activation == Activation::Sin2Pi)
                return single_domain_taylor_order(d);
    return 8;
}

IntegrationOptions integration_options(const std::string& tol, long max_boxes, const StopToken& stop, int order) {
    IntegrationOptions o;
    o.relative_tolerance = tol;
    o.absolute_floor = kIntegralFloor;
    o.taylor_order = order;
    o.nonnegative = true;
    o.max_boxes = max_boxes;
    o.stop = stop;
    return o;
}

const char* status_name(IntegrationStatus s) {
    return s == IntegrationStatus::Converged ? "converged" : s == IntegrationStatus::BudgetSpent ? "budget_spent" : "stopped";
}

Expression abs_power_of(Expression h, const Exponent& p, const std::string& text) {
    append_abs_power(h, h.result_slot(), p);
    h.set_text(text);
    return h;
}

// h(x; c, s) = f(x1) - (c + s x1), or -(c + s x1) without f: the deviation (or the readout) on a
// piece where Phi is exactly affine, c and s the piece's parameters 0 and 1.
Expression affine_deviation(const Expression* f) {
    Expression e = f != nullptr ? *f : Expression::parse("0");
    const int f_slot = e.result_slot();
    const int c = e.append_parameter(0);
    const int s = e.append_parameter(1);
    const int x = e.append({Op::Variable, -1, -1, 0});
    const int sx = e.append({Op::Mul, s, x});
    const int line = e.append({Op::Add, c, sx});
    e.append({Op::Sub, f_slot, line});
    return e;
}

// The pieces of a 1-D piecewise-affine readout, when it has them (affine_pieces.hpp).
struct ReadoutPieces {
    std::vector<Piece> affine, kinks;
    std::vector<std::vector<Interval>> lines;   // (c, s) of each affine piece, outward at prec
};

std::optional<ReadoutPieces> readout_pieces(const Network& net, int readout, const DyadicDomain& domain, Precision prec,
                                            const StopToken& stop) {
    if (net.d != 1) return std::nullopt;
    auto pieces = affine_pieces(net, readout, domain[0].first, domain[0].second, prec, AffinePieceLimits{}, stop);
    if (!pieces) return std::nullopt;
    ReadoutPieces out;
    for (const auto& piece : *pieces) {
        Box box = Box::from_dyadics({piece.lo}, {piece.hi});
        if (piece.affine) {
            out.affine.push_back(Piece{std::move(box), static_cast<int>(out.lines.size())});
            out.lines.push_back({piece.intercept.to_interval(prec), piece.slope.to_interval(prec)});
        } else {
            out.kinks.push_back(Piece{std::move(box), 0});
        }
    }
    return out;
}

// ||g|| over the box: (int |g|^p)^(1/p) or ess sup |g|. With `pieces` (p finite): the integral
// is the sum over the affine pieces of int |h(x; c, s)|^p (h = affine_deviation(f)) and over the
// kink pieces of int |g|^p with the network itself; the kink pieces are thin (~2^-(prec/2) of a
// piece each), so their share of the goal is a 32nd, and the rest goes to the affine pieces.
NormEnclosureResult enclose_norm(const Expression& g, const Box& box, const ExponentOrInfinity& p, const std::string& tol,
                                 long max_boxes, Precision prec, int order, const StopToken& stop,
                                 const ReadoutPieces* pieces = nullptr, const Expression* f = nullptr) {
    if (p.infinite) {
        SupOptions o;
        o.relative_tolerance = tol;
        o.absolute_floor = kSupFloor;
        o.max_boxes = max_boxes;
        SupEnclosure s = enclose_sup_abs(g, box, o, prec, stop);
        return {std::move(s.value), sup_status_name(s.status), s.boxes};
    }
    const std::string power_text = "|" + g.text() + "|^" + p.text();
    const Expression integrand = abs_power_of(g, *p.finite, power_text);
    if (pieces == nullptr) {
        IntegralEnclosure in = enclose_integral(integrand, {Piece{box, 0}}, {}, integration_options(tol, max_boxes, stop, order), prec);
        return {root_outward(in.value, *p.finite, prec), status_name(in.status), in.boxes};
    }
    Interval total(prec);
    long boxes = 0;
    IntegrationStatus status = IntegrationStatus::Converged;
    if (!pieces->affine.empty()) {
        const Expression line_integrand = abs_power_of(affine_deviation(f), *p.finite, power_text + " (affine pieces)");
        IntegralEnclosure in = enclose_integral(line_integrand, pieces->affine, pieces->lines,
                                                integration_options(scaled_tolerance(tol, 31, 32), max_boxes, stop, single_domain_taylor_order(1)), prec);
        total = in.value;
        boxes += in.boxes;
        status = in.status;
    }
    if (!pieces->kinks.empty()) {
        // goal: width <= tol/32 of the affine pieces' integral (or of the floor)
        IntegrationOptions o = integration_options(scaled_tolerance(tol, 1, 32), max_boxes, stop, single_domain_taylor_order(1));
        if (certainly_less(parse_decimal(kIntegralFloor, prec), total)) o.absolute_floor = decimal_down(total.lower(), 6);
        IntegralEnclosure in = enclose_integral(integrand, pieces->kinks, {}, o, prec);
        add(total, total, in.value);
        boxes += in.boxes;
        if (status == IntegrationStatus::Converged) status = in.status;
    }
    return {root_outward(total, *p.finite, prec), status_name(status), boxes};
}

nlohmann::json certificate_of(const NetworkCertificationRequest& q, const DyadicDomain& domain,
                              const NetworkCertificationOutcome& o, int threads) {
    nlohmann::json dom = nlohmann::json::array();
    for (const auto& [a, b] : domain) dom.push_back({exact_decimal(a), exact_decimal(b)});
    nlohmann::json readouts = nlohmann::json::array();
    for (const auto& r : o.readouts) {
        readouts.push_back({{"index", r.index},
                            {"error", enclosure_json(r.error)},
                            {"norm", enclosure_json(r.norm)},
                            {"error_status", r.error_status},
                            {"norm_status", r.norm_status},
                            {"tightened", r.tightened},
                            {"boxes", r.boxes}});
    }
    nlohmann::json pairs = nlohmann::json::array();
    for (size_t i = 0; i < o.verdicts.size(); ++i) pairs.push_back({{"from", i}, {"to", i + 1}, {"verdict", verdict_name(o.verdicts[i])}});
    const nlohmann::json content = network_to_json(q.net);
    return {{"schema", "lpcert-network-certificate/1"},
            {"network", {{"file", q.file}, {"sha256", q.sha256}, {"format", q.format}, {"inputs", q.net.d},
                         {"readouts", q.net.readouts.size()}, {"content_sha256", sha256_hex(content.dump())}}},
            {"function", q.function_label},
            {"expression", q.f.text()},
            {"p", q.p.text()},
            {"domain", dom},
            {"tol", q.tol},
            {"precision_bits", q.precision_bits},
            {"readouts", readouts},
            {"pairs", pairs},
            {"complete", o.complete},
            {"stopped", o.stopped ? nlohmann::json(*o.stopped) : nlohmann::json(nullptr)},
            {"network_content", content},
            {"environment", environment_json(threads, o.seconds)}};
}

}  // namespace

NetworkCertificationOutcome certify_network(const NetworkCertificationRequest& request, const JobOptions& options,
                                            const StopToken& stop) {
    const auto start = std::chrono::steady_clock::now();
    validate_tolerance(request.tol, "--tol");
    NetworkCertificationRequest q = request;   // with the precision resolved (the certificate records it)
    if (q.precision_bits == 0) q.precision_bits = chosen_network_precision(q.tol, q.net);
    const Network& net = q.net;
    if (net.readouts.empty()) throw InputError("network: it has no readouts");
    q.f.require_dimension(net.d);
    validate_tolerance(q.tol, "--tol");
    if (q.precision_bits < 32 || q.precision_bits > 100000) throw InputError("--prec: must be 32..100000 bits");
    DyadicDomain domain = q.domain;
    if (domain.empty())
        for (int i = 0; i < net.d; ++i) domain.emplace_back(Dyadic(0), Dyadic(1));
    if (static_cast<int>(domain.size()) != net.d) throw InputError("--domain: the network has " + std::to_string(net.d) + " inputs");
    for (const auto& [a, b] : domain)
        if (!(a < b)) throw InputError("--domain: an interval is empty (need lo < hi)");
    const Box box = domain_box(domain);
    const Precision prec(q.precision_bits);
    const int order = network_taylor_order(net, net.d);
    const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
    tbb::task_arena arena(threads);
    NetworkCertificationOutcome out;
    const long count = static_cast<long>(net.readouts.size());

    // compile everything first: an unsupported activation is bad input before any work
    std::vector<Expression> deviation, phi;
    std::vector<std::optional<ReadoutPieces>> pieces;
    for (int i = 0; i < count; ++i) {
        deviation.push_back(deviation_expression(q.f, net, i));
        phi.push_back(readout_expression(net, i));
    }
    arena.execute([&] {
        try {
            for (int i = 0; i < count; ++i) {
                if (stop.stop_requested()) break;
                if (options.progress) options.progress("readout", i, count);
                // sup norms need no pieces: the branch and bound finds the kinks it needs
                pieces.push_back(q.p.infinite ? std::nullopt : readout_pieces(net, i, domain, prec, stop));
                const ReadoutPieces* on = pieces[static_cast<size_t>(i)] ? &*pieces[static_cast<size_t>(i)] : nullptr;
                auto e = enclose_norm(deviation[static_cast<size_t>(i)], box, q.p, q.tol, q.max_boxes, prec, order, stop, on, &q.f);
                auto n = enclose_norm(phi[static_cast<size_t>(i)], box, q.p, q.tol, q.max_boxes, prec, order, stop, on, nullptr);
                ReadoutEnclosures r{i, std::move(e.value), std::move(n.value), e.status, n.status, e.boxes + n.boxes, false};
                out.readouts.push_back(std::move(r));
            }
            // one tightening round for the error enclosures of undecided pairs
            const std::string fine = scaled_tolerance(q.tol, 1, 16);
            const long fine_budget = q.max_boxes > 0 ? 4 * q.max_boxes : 0;
            for (size_t i = 0; i + 1 < out.readouts.size(); ++i) {
                if (verdict_of(out.readouts[i].error, out.readouts[i + 1].error) != PairVerdict::Undecided) continue;
                for (size_t k : {i, i + 1}) {
                    auto& r = out.readouts[k];
                    if (r.tightened || stop.stop_requested()) continue;
                    auto t = enclose_norm(deviation[k], box, q.p, fine, fine_budget, prec, order, stop, pieces[k] ? &*pieces[k] : nullptr, &q.f);
                    // both are true enclosures of the same number: they meet, and their intersection is one too
                    if (!overlaps(r.error, t.value)) throw std::logic_error("two enclosures of one norm do not meet");
                    intersect_with(r.error, t.value);
                    r.error_status = t.status;
                    r.boxes += t.boxes;
                    r.tightened = true;
                }
            }
        } catch (const Stopped&) {
            // the enclosures recorded so far are true; the outcome says it stopped
        }
    });
    if (stop.stop_requested()) out.stopped = stop.reason().empty() ? std::string("stopped") : stop.reason();
    for (size_t i = 0; i + 1 < out.readouts.size(); ++i) out.verdicts.push_back(verdict_of(out.readouts[i].error, out.readouts[i + 1].error));
    out.complete = !out.stopped && static_cast<long>(out.readouts.size()) == count;
    if (!out.complete && !out.stopped) out.stopped = "stopped";
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.certificate = certificate_of(q, domain, out, threads);
    return out;
}

}  // namespace lpcert
