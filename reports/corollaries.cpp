#include "reports/corollaries.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/interval.hpp"
#include "reports/svg_plot.hpp"

namespace lpcert {

namespace {

const Precision kPrec(256);

// Enclosure of a decimal string of a certificate (exact when representable, else outward).
Interval decimal(const nlohmann::json& v, const std::string& what) {
    if (!v.is_string()) throw InputError("corollaries: " + what + " is not a decimal string");
    return parse_decimal(v.get<std::string>(), kPrec, what);
}

// upper(a) <= lower(b): "a <= b" certainly.
bool certainly_at_most(const Interval& a, const Interval& b) { return mpfr_lessequal_p(a.upper(), b.lower()) != 0; }

// "a/b" with positive integers a, b.
std::pair<long, long> parse_ratio(const std::string& text) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos) throw std::logic_error("catalog: Hoelder exponent '" + text + "' is not a/b");
    return {std::stol(text.substr(0, slash)), std::stol(text.substr(slash + 1))};
}

}  // namespace

int HoelderRate::holding() const {
    return static_cast<int>(std::count_if(levels.begin(), levels.end(), [](const HoelderRateLevel& l) { return l.holds; }));
}

std::optional<HoelderRate> hoelder_rate(const nlohmann::json& c) {
    const auto& P = c["parameters"];
    const auto entry = find_in_catalog(P["function"].get<std::string>());
    if (!entry || entry->hoelder_exponent.empty()) return std::nullopt;
    // The catalog entry must be the function that was run (a catalog name given with another
    // expression would not be).
    if (P.contains("expression") && P["expression"].is_string() &&
        P["expression"].get<std::string>() != entry->expression(P["d"].get<int>()))
        return std::nullopt;
    const int d = P["d"].get<int>(), N = P["N"].get<int>();
    const std::string p_text = P["p"].get<std::string>();
    const bool jumps = entry->hoelder_exponent == "1/p";
    if (jumps && (p_text == "inf" || p_text == "infinity")) return std::nullopt;

    HoelderRate rate;
    // alpha and lambda as enclosures; N^(alpha l) below by the outward power.
    Interval alpha{kPrec}, lambda{kPrec};
    if (jumps) {
        // omega_f(delta)_p <= (mu delta)^(1/p): alpha = 1/p, lambda = mu^(1/p)
        const Interval p = parse_decimal(p_text, kPrec, "p");
        div(alpha, Interval(1, kPrec), p);
        pow_real(lambda, parse_decimal(entry->hoelder_constant, kPrec, "Hoelder constant"), alpha);
        rate.alpha = "1/p";
        rate.lambda = entry->hoelder_constant == "1" ? "1" : entry->hoelder_constant + "^(1/p)";
        rate.sense = "L^p";
    } else {
        const auto [a, b] = parse_ratio(entry->hoelder_exponent);
        div(alpha, Interval(a, kPrec), Interval(b, kPrec));
        lambda = parse_decimal(entry->hoelder_constant, kPrec, "Hoelder constant");
        rate.alpha = entry->hoelder_exponent;
        rate.lambda = entry->hoelder_constant;
        rate.sense = "sup";
    }
    for (const auto& l : c["levels"]) {
        if (!l["error"].is_object()) continue;   // not reached (a stopped run)
        const int level = l["level"].get<int>();
        // (2d+1) lambda / N^(alpha l), every operation rounded outward; its lower end rounded
        // down to a decimal is the printed bound.
        Interval bound{kPrec}, power(1, kPrec), exponent{kPrec};
        if (level > 0) {
            mul_si(exponent, alpha, level);
            pow_real(power, Interval(N, kPrec), exponent);
        }
        mul_si(bound, lambda, 2 * d + 1);
        div(bound, bound, power);
        HoelderRateLevel row;
        row.level = level;
        row.error_upper = l["error"]["upper"].get<std::string>();
        row.rate_bound = decimal_down(bound.lower());
        row.holds = certainly_at_most(decimal(l["error"]["upper"], "error upper"), parse_decimal(row.rate_bound, kPrec));
        rate.levels.push_back(std::move(row));
    }
    return rate;
}

long nonzero_coefficients(const Network& net, int readout_level) {
    long n = 0;
    for (const auto& layer : net.layers) {
        for (const auto& neuron : layer.neurons) {
            for (const auto& [source, w] : neuron.weights) n += w.is_zero() ? 0 : 1;
            n += neuron.bias.is_zero() ? 0 : 1;
        }
    }
    const Readout& r = net.readout(readout_level);
    for (const auto& [source, w] : r.weights) n += w.is_zero() ? 0 : 1;
    return n + (r.bias.is_zero() ? 0 : 1);
}

long longest_coefficient_bits(const Network& net, int readout_level) {
    long bits = 0;
    auto see = [&](const Dyadic& v) { bits = std::max(bits, v.mantissa_bits()); };
    for (const auto& layer : net.layers) {
        for (const auto& neuron : layer.neurons) {
            for (const auto& [source, w] : neuron.weights) see(w);
            see(neuron.bias);
        }
    }
    const Readout& r = net.readout(readout_level);
    for (const auto& [source, w] : r.weights) see(w);
    see(r.bias);
    return bits;
}

std::vector<NetworkSize> network_sizes(const BuiltNetwork& built) {
    const Network& full = built.network;
    std::vector<NetworkSize> out;
    // Phi_0 is the constant v_0: no hidden layer.
    const Readout& r0 = full.readout(0);
    out.push_back(NetworkSize{0, 0, r0.bias.is_zero() ? 0L : 1L, r0.bias.mantissa_bits()});
    for (int l = 1; l <= full.levels; ++l) {
        std::optional<BuiltNetwork> prefix;
        if (l < full.levels) {
            CellValues values = built.values;
            values.v.resize(static_cast<size_t>(l) + 1);
            prefix = built.construction == "sin-relu"
                         ? build_sin_relu(values, full.d, full.N, l, built.digit_bits, *built.steepness)
                         : build_floor_relu(values, full.d, full.N, l, built.digit_bits);
        }
        const Network& net = prefix ? prefix->network : full;
        out.push_back(NetworkSize{l, measure_architecture(net).depth, nonzero_coefficients(net, l),
                                  longest_coefficient_bits(net, l)});
    }
    return out;
}

std::vector<AccuracyLevel> accuracy_levels(const nlohmann::json& c, const std::vector<NetworkSize>& sizes,
                                           const std::vector<std::string>& eps) {
    std::vector<AccuracyLevel> out;
    for (const auto& e : eps) {
        const Interval target = parse_decimal(e, kPrec, "eps");
        AccuracyLevel a;
        a.eps = e;
        for (const auto& l : c["levels"]) {
            if (l["status"] != "certified" || !l["error"].is_object()) continue;
            if (!certainly_at_most(decimal(l["error"]["upper"], "error upper"), target)) continue;
            a.level = l["level"].get<int>();
            a.error_upper = l["error"]["upper"].get<std::string>();
            for (const auto& s : sizes)
                if (s.level == *a.level) a.size = s;
            break;
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<std::string> accuracy_targets(const std::vector<const nlohmann::json*>& certificates) {
    std::vector<std::string> out;
    for (int k = 1; k <= 60; ++k) {
        const std::string eps = "1e-" + std::to_string(k);
        bool reached = false;
        for (const nlohmann::json* c : certificates) {
            const auto a = accuracy_levels(*c, {}, {eps});
            reached = reached || a.front().level.has_value();
        }
        if (k > 3 && !reached) break;
        out.push_back(eps);
    }
    return out;
}

namespace {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::string markdown() const {
        std::ostringstream o;
        o << "|";
        for (const auto& h : header) o << " " << h << " |";
        o << "\n|";
        for (size_t k = 0; k < header.size(); ++k) o << "---|";
        o << "\n";
        for (const auto& r : rows) {
            o << "|";
            for (const auto& x : r) o << " " << x << " |";
            o << "\n";
        }
        return o.str();
    }
    std::string html(const std::string& css_class) const {
        std::ostringstream o;
        o << "<table class=\"" << css_class << "\"><thead><tr>";
        for (const auto& h : header) o << "<th>" << xml_escape(h) << "</th>";
        o << "</tr></thead><tbody>\n";
        for (const auto& r : rows) {
            o << "<tr>";
            for (const auto& x : r) {
                const bool yes = x.rfind("all ", 0) == 0, no = x.rfind("NOT ", 0) == 0;
                o << "<td" << (yes ? " class=\"certified\"" : no ? " class=\"not_certified\"" : "") << ">" << xml_escape(x) << "</td>";
            }
            o << "</tr>\n";
        }
        o << "</tbody></table>\n";
        return o.str();
    }
};

// Display ratio of two decimals (the table's "worst" column only; the verdicts are exact).
double display_ratio(const std::string& a, const std::string& b) {
    return std::strtod(a.c_str(), nullptr) / std::strtod(b.c_str(), nullptr);
}

std::vector<std::string> case_columns(const CorollaryCase& k) {
    const auto& P = (*k.certificate)["parameters"];
    return {k.name, P["function"].get<std::string>(), std::to_string(P["d"].get<int>()), std::to_string(P["N"].get<int>()),
            P["p"].get<std::string>(), P.value("construction", std::string("floor-relu"))};
}

std::string size_text(const AccuracyLevel& a, bool have_sizes, int L) {
    if (!a.level) return "not reached (L = " + std::to_string(L) + ")";
    std::string t = "l=" + std::to_string(*a.level);
    if (!have_sizes) return t + " (network not built)";
    return t + ", depth " + std::to_string(a.size.depth) + ", " + std::to_string(a.size.parameters) + " params, " +
           std::to_string(a.size.longest_coefficient_bits) + " bits";
}

const char* kHoelderText =
    "Hoelder rate (the corollary of (T) for Hoelder f): if omega_f(delta)_p <= lambda delta^alpha for every delta, then "
    "||f - Phi_l||_p <= (2d+1) lambda N^(-alpha l). The catalog functions with proved Hoelder data (docs/math.md "
    "section 8) are checked here: sense \"sup\" means |f(x) - f(y)| <= lambda |x - y|_2^alpha; sense \"L^p\" means "
    "a function with jumps, for which only omega_f(delta)_p <= lambda delta^(1/p) holds (lambda = mu^(1/p)). The rate "
    "is computed from the exact data with MPFI, rounded outward (N^(alpha l) by an outward power), and rounded down "
    "to a decimal; it holds at a level when the certified error's upper end is at most that decimal. Smooth and "
    "Lipschitz functions have the Lipschitz rate of the table above instead.";

const char* kAccuracyText =
    "Corollary 2.3 (accuracy eps with depth O(log(1/eps))): for each eps, the first level l whose inequality (T) is "
    "certified and whose certified error upper end is <= eps, and the network of l levels (the prefix of the built "
    "network, with the same weights): its depth (hidden layers, l(d+2)+1), its parameters (nonzero weights and "
    "biases of every hidden neuron and of the readout Phi_l) and the mantissa bits of its longest coefficient (the "
    "level table theta_l, b N^(dl) bits). \"not reached\" means that no certified level up to L reaches eps.";

}  // namespace

CorollarySections corollary_sections(const std::vector<CorollaryCase>& cases) {
    CorollarySections out;
    std::vector<const nlohmann::json*> certificates;
    for (const auto& k : cases) certificates.push_back(k.certificate);
    const std::vector<std::string> targets = accuracy_targets(certificates);

    Table hoelder;
    hoelder.header = {"case", "function", "d", "N", "p", "construction", "alpha", "lambda", "sense",
                      "E_l <= (2d+1) lambda N^(-alpha l)", "rate at L", "error upper at L", "worst error/rate"};
    Table accuracy;
    accuracy.header = {"case", "function", "d", "N", "p", "construction"};
    for (const auto& e : targets) accuracy.header.push_back("eps = " + e);

    // level steps between consecutive eps reached by one case (the sentence under the table)
    int fewest_steps = 1 << 30, most_steps = -1, depth_per_level_min = 1 << 30, depth_per_level_max = -1;
    std::vector<std::string> uneven;   // cases whose levels >= 1 do not all add the same number of parameters
    for (const auto& k : cases) {
        const nlohmann::json& c = *k.certificate;
        nlohmann::json entry = {{"name", k.name}, {"hoelder_rate", nullptr}, {"accuracy", nlohmann::json::array()}};
        if (const auto rate = hoelder_rate(c)) {
            std::vector<std::string> row = case_columns(k);
            double worst = 0;
            for (const auto& l : rate->levels) worst = std::max(worst, display_ratio(l.error_upper, l.rate_bound));
            char w[32];
            std::snprintf(w, sizeof w, "%.3f", worst);
            const int n = static_cast<int>(rate->levels.size()), h = rate->holding();
            const bool any = !rate->levels.empty();
            row.insert(row.end(), {rate->alpha, rate->lambda, rate->sense,
                                   (h == n ? "all " : "NOT all: ") + std::to_string(h) + "/" + std::to_string(n),
                                   any ? rate->levels.back().rate_bound : "-", any ? rate->levels.back().error_upper : "-",
                                   any ? w : "-"});
            hoelder.rows.push_back(std::move(row));
            nlohmann::json levels = nlohmann::json::array();
            for (const auto& l : rate->levels)
                levels.push_back({{"level", l.level}, {"error_upper", l.error_upper}, {"rate_bound", l.rate_bound}, {"holds", l.holds}});
            entry["hoelder_rate"] = {{"alpha", rate->alpha}, {"lambda", rate->lambda}, {"sense", rate->sense}, {"levels", levels}};
        }
        const std::vector<NetworkSize> none;
        const std::vector<NetworkSize>& sizes = k.sizes ? *k.sizes : none;
        const auto acc = accuracy_levels(c, sizes, targets);
        std::vector<std::string> row = case_columns(k);
        std::optional<int> previous;
        for (const auto& a : acc) {
            row.push_back(size_text(a, !sizes.empty(), c["parameters"]["levels"].get<int>()));
            nlohmann::json j = {{"eps", a.eps}, {"level", a.level ? nlohmann::json(*a.level) : nlohmann::json(nullptr)}};
            if (a.level && !sizes.empty()) {
                j.update({{"error_upper", a.error_upper}, {"depth", a.size.depth}, {"parameters", a.size.parameters},
                          {"longest_coefficient_bits", a.size.longest_coefficient_bits}});
            }
            entry["accuracy"].push_back(j);
            if (a.level && previous) {
                fewest_steps = std::min(fewest_steps, *a.level - *previous);
                most_steps = std::max(most_steps, *a.level - *previous);
            }
            previous = a.level;
        }
        bool even = true;
        for (size_t l = 3; l < sizes.size(); ++l)
            even = even && sizes[l].parameters - sizes[l - 1].parameters == sizes[l - 1].parameters - sizes[l - 2].parameters;
        if (!even) uneven.push_back(k.name);
        for (size_t l = 2; l < sizes.size(); ++l) {
            depth_per_level_min = std::min(depth_per_level_min, sizes[l].depth - sizes[l - 1].depth);
            depth_per_level_max = std::max(depth_per_level_max, sizes[l].depth - sizes[l - 1].depth);
        }
        accuracy.rows.push_back(std::move(row));
        entry["network_sizes"] = nlohmann::json::array();
        for (const auto& z : sizes)
            entry["network_sizes"].push_back({{"level", z.level}, {"depth", z.depth}, {"parameters", z.parameters},
                                              {"longest_coefficient_bits", z.longest_coefficient_bits}});
        out.json.push_back(std::move(entry));
    }

    std::string observed;
    if (most_steps >= 0) {
        observed = " In this run each factor 10 in eps costs " +
                   (fewest_steps == most_steps ? std::to_string(most_steps) : std::to_string(fewest_steps) + " to " + std::to_string(most_steps)) +
                   " more levels";
        if (depth_per_level_max >= 0)
            observed += " (d+2 layers each: " + (depth_per_level_min == depth_per_level_max ? std::to_string(depth_per_level_min)
                                                                            : std::to_string(depth_per_level_min) + " to " + std::to_string(depth_per_level_max)) +
                        " here)";
        if (uneven.empty()) {
            observed += ", and every level of a case adds the same number of parameters";
        } else {
            std::string names;
            for (const auto& n : uneven) names += (names.empty() ? "" : ", ") + n;
            observed += ", and every level of a case adds the same number of parameters except in " + names +
                        " (zero coefficients are not counted: a level whose residuals all vanish adds fewer)";
        }
        observed += ", while the bits of the longest coefficient grow like N^(dl).";
    }
    const std::string sentence =
        "Depth grows like log(1/eps): each level adds d+2 layers of fixed width and divides the error bound by N^alpha, "
        "so eps needs about log_N(1/eps)/alpha levels; the numbers show depth and parameter count linear in the level "
        "(hence logarithmic in 1/eps), the cost moving into the bit length of the level tables." + observed;

    out.markdown = "## Hoelder rate\n\n" + std::string(kHoelderText) + "\n\n" +
                   (hoelder.rows.empty() ? "No case of this suite has a catalog function with Hoelder data.\n" : hoelder.markdown()) +
                   "\n## Corollary 2.3: depth for accuracy eps\n\n" + kAccuracyText + "\n\n" + accuracy.markdown() + "\n" +
                   sentence + "\n\n";
    out.html = "<h2>Hoelder rate</h2>\n<p>" + xml_escape(kHoelderText) + "</p>\n" +
               (hoelder.rows.empty() ? "<p>No case of this suite has a catalog function with Hoelder data.</p>\n" : hoelder.html("hoelder")) +
               "<h2>Corollary 2.3: depth for accuracy eps</h2>\n<p>" + xml_escape(kAccuracyText) + "</p>\n" +
               accuracy.html("accuracy") + "<p>" + xml_escape(sentence) + "</p>\n";
    return out;
}

}  // namespace lpcert
