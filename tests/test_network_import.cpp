#define BOOST_TEST_MODULE network_import
#include <boost/test/unit_test.hpp>

#include <onnx/onnx_pb.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "construction/forward.hpp"
#include "construction/network_io.hpp"
#include "construction/onnx_import.hpp"
#include "quadrature/errors.hpp"
#include "test_support.hpp"

// The networks of tests/data/networks/ (scripts/make-test-networks.py): each ONNX model imported
// and evaluated rigorously must agree with torch's float64 outputs (reference.json), with
// ExactForward for ReLU networks, and with the lpcert-network/2 file the script wrote from the
// same weights on its own. Bad models each raise InputError / ResourceLimit naming what is wrong.

using namespace lpcert;
using boost::multiprecision::mpq_rational;

namespace {

const std::string kData = std::string(LPCERT_TEST_DATA) + "/networks/";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_bytes(path)); }

const nlohmann::json& reference() {
    static const nlohmann::json r = read_json(kData + "reference.json");
    return r;
}

std::vector<std::string> all_networks() {
    std::vector<std::string> names;
    for (const auto& [name, entries] : reference()["networks"].items()) names.push_back(name);
    return names;
}

bool relu_only(const std::string& name) { return name.rfind("relu", 0) == 0 || name == "residual_d2" || name == "leaky_d3"; }

// torch's float64 value y, widened by 1e-12 (1 + |y|): its rounding error, bounded generously.
Interval torch_value(const std::string& y) {
    const Precision p(256);
    Interval v = test::ref(y), t(p), lo(p), hi(p), out(p);
    abs(t, v);
    add_si(t, t, 1);
    mul(t, t, test::ref("1e-12"));
    sub(lo, v, t);
    add(hi, v, t);
    set_hull(out, lo.lower(), hi.upper());
    return out;
}

std::vector<Interval> point_box(const nlohmann::json& x, Precision p) {
    std::vector<Interval> box;
    for (const auto& xi : x) box.push_back(Dyadic::parse(xi.get<std::string>()).to_interval(p));
    return box;
}

std::vector<mpq_rational> exact_point(const nlohmann::json& x) {
    std::vector<mpq_rational> q;
    for (const auto& xi : x) {
        mpq_rational v;
        Dyadic::parse(xi.get<std::string>()).to_mpq(v.backend().data());
        q.push_back(v);
    }
    return q;
}

Interval of_rational(const mpq_rational& q) {
    Interval v{Precision(256)};
    mpfi_set_q(v.raw(), q.backend().data());
    return v;
}

template <class E>
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "(no exception)";
}

bool mentions(const std::string& message, const std::string& part) {
    if (message.find(part) == std::string::npos) {
        BOOST_TEST_MESSAGE("message: " << message);
        return false;
    }
    return message.find('\n') == std::string::npos;
}

onnx::ModelProto load_model(const std::string& name) {
    onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(read_bytes(kData + name + ".onnx")));
    return m;
}

std::string bytes_of(const onnx::ModelProto& m) {
    std::string s;
    m.SerializeToString(&s);
    return s;
}

// The exact value of a SkipNetwork's readouts, straight from the skip connections (no flattening).
std::vector<mpq_rational> exact_skip(const SkipNetwork& net, const std::vector<mpq_rational>& x) {
    std::vector<std::vector<mpq_rational>> values;
    auto read = [&](const SourceWeights& w, const Dyadic& bias) {
        mpq_rational acc;
        bias.to_mpq(acc.backend().data());
        for (const auto& [s, wk] : w) {
            mpq_rational q;
            wk.to_mpq(q.backend().data());
            acc += q * (s.layer < 0 ? x[static_cast<size_t>(s.index)]
                                    : values[static_cast<size_t>(s.layer)][static_cast<size_t>(s.index)]);
        }
        return acc;
    };
    for (const auto& layer : net.layers) {
        std::vector<mpq_rational> out;
        for (const auto& n : layer) {
            const mpq_rational z = read(n.weights, n.bias);
            BOOST_REQUIRE(n.activation == Activation::ReLU || n.activation == Activation::Identity);
            out.push_back(n.activation == Activation::ReLU && z < 0 ? mpq_rational(0) : z);
        }
        values.push_back(std::move(out));
    }
    std::vector<mpq_rational> r;
    for (const auto& ro : net.readouts) r.push_back(read(ro.weights, ro.bias));
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(floats_become_exact_dyadics) {
    BOOST_TEST((dyadic_from_double(0.1f, "w") == Dyadic(13421773, -27)));
    BOOST_TEST((dyadic_from_double(0.1, "w") == Dyadic(3602879701896397L, -55)));
    BOOST_TEST((dyadic_from_double(-0.0, "w") == Dyadic()));
    BOOST_TEST((dyadic_from_double(-3.0, "w") == Dyadic(-3)));
    BOOST_TEST((dyadic_from_double(std::numeric_limits<float>::denorm_min(), "w") == Dyadic::power_of_two(-149)));
    BOOST_TEST((dyadic_from_double(std::numeric_limits<double>::denorm_min(), "w") == Dyadic::power_of_two(-1074)));
    BOOST_TEST((dyadic_from_double(std::numeric_limits<float>::max(), "w") == Dyadic(16777215, 104)));
    BOOST_CHECK_THROW(dyadic_from_double(std::numeric_limits<double>::infinity(), "w"), InputError);
    BOOST_CHECK_THROW(dyadic_from_double(std::numeric_limits<double>::quiet_NaN(), "w"), InputError);
}

BOOST_AUTO_TEST_CASE(decimal_weights_of_v2_must_be_dyadic) {
    BOOST_TEST((parse_exact_weight("0.125", "w") == Dyadic(1, -3)));
    BOOST_CHECK_THROW(parse_exact_weight("-1.5e-3", "w"), InputError);
    BOOST_CHECK_THROW(parse_exact_weight("0.1", "w"), InputError);
    BOOST_TEST((parse_exact_weight("2.5e1", "w") == Dyadic(25)));
    BOOST_TEST((parse_exact_weight("-3*2^-4", "w") == Dyadic(-3, -4)));
    BOOST_TEST((parse_exact_weight("-0.375", "w") == Dyadic(-3, -3)));
    BOOST_CHECK_THROW(parse_exact_weight("1.5e-1", "w"), InputError);
    BOOST_CHECK_THROW(parse_exact_weight("1e99999999", "w"), InputError);
    BOOST_CHECK_THROW(parse_exact_weight("1.2.3", "w"), InputError);
}

BOOST_AUTO_TEST_CASE(onnx_networks_enclose_torch_float64) {
    for (const auto& name : all_networks()) {
        BOOST_TEST_CONTEXT(name) {
            const Network net = import_onnx(kData + name + ".onnx");
            IntervalForward pass(net, Precision(128));
            for (const auto& e : reference()["networks"][name]) {
                const auto& phi = pass.evaluate(point_box(e["x"], Precision(128)));
                BOOST_REQUIRE_EQUAL(phi.size(), e["y"].size());
                for (size_t i = 0; i < phi.size(); ++i) BOOST_TEST(contains(torch_value(e["y"][i]), phi[i]));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(relu_networks_exact_values_match_torch) {
    int checked = 0;
    for (const auto& name : all_networks()) {
        if (!relu_only(name)) continue;
        BOOST_TEST_CONTEXT(name) {
            const Network net = import_onnx(kData + name + ".onnx");
            IntervalForward pass(net, Precision(128));
            for (const auto& e : reference()["networks"][name]) {
                const auto exact = ExactForward(net).readouts(exact_point(e["x"]));
                const auto& phi = pass.evaluate(point_box(e["x"], Precision(128)));
                for (size_t i = 0; i < exact.size(); ++i) {
                    BOOST_TEST(contains(torch_value(e["y"][i]), of_rational(exact[i])));
                    BOOST_TEST(contains(phi[i], of_rational(exact[i])));
                    ++checked;
                }
            }
        }
    }
    BOOST_TEST(checked >= 25);
}

BOOST_AUTO_TEST_CASE(onnx_and_v2_json_give_the_same_network) {
    for (const auto& name : all_networks()) {
        BOOST_TEST_CONTEXT(name) {
            const Network a = import_onnx(kData + name + ".onnx");
            const Network b = network_from_json(read_json(kData + name + ".json"));
            // the script composes the same exact weights and places neurons by the same rule
            BOOST_TEST(network_to_json(a) == network_to_json(b));
            IntervalForward pa(a, Precision(96)), pb(b, Precision(96));
            std::uniform_real_distribution<double> u(-1, 1);
            for (int k = 0; k < 5 * test::multiplier(); ++k) {
                nlohmann::json x = nlohmann::json::array();
                for (int i = 0; i < a.d; ++i) x.push_back(dyadic_from_double(u(test::rng()), "x").to_string());
                const auto ya = pa.evaluate(point_box(x, Precision(96)));
                const auto& yb = pb.evaluate(point_box(x, Precision(96)));
                for (size_t i = 0; i < ya.size(); ++i) {
                    BOOST_TEST(mpfr_equal_p(ya[i].lower(), yb[i].lower()));
                    BOOST_TEST(mpfr_equal_p(ya[i].upper(), yb[i].upper()));
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(flattening_skip_connections_preserves_values) {
    const SkipNetwork skip = skip_network_from_json(read_json(kData + "residual_d2.json"));
    const Network flat = flatten(skip);
    BOOST_TEST(flat.levels == 2);
    long carries = 0;
    for (const auto& layer : flat.layers)
        for (const auto& n : layer.neurons) carries += n.activation == Activation::Identity;
    BOOST_TEST(carries > 0);
    std::uniform_int_distribution<long> u(-1000, 1000);
    for (int k = 0; k < 20 * test::multiplier(); ++k) {
        const std::vector<mpq_rational> x = {mpq_rational(u(test::rng()), 997), mpq_rational(u(test::rng()), 1024)};
        const auto want = exact_skip(skip, x);
        const auto got = ExactForward(flat).readouts(x);
        BOOST_REQUIRE_EQUAL(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i) BOOST_TEST(got[i] == want[i]);
    }
    // a hand-made file: a readout of layer 2 reading x2 and layer 0, readouts out of layer order
    const nlohmann::json j = nlohmann::json::parse(R"({"schema": "lpcert-network/2", "inputs": 2, "layers": [
        {"neurons": [{"activation": "relu", "weights": [[0, "1"], [1, "-1"]], "bias": "0.5"}]},
        {"neurons": [{"activation": "relu", "weights": [[0, "3*2^-1"], ["x1", "-0.25"]], "bias": "0"}]},
        {"neurons": [{"activation": "relu", "weights": [["L0:0", "2"], [0, "1"], ["x2", "1"]], "bias": "-1"}]}],
      "readouts": [{"layer": 2, "weights": [[0, "1"], ["x2", "1"], ["L0:0", "-1"]], "bias": "0"},
                   {"layer": 0, "weights": [["x1", "1"]], "bias": "0"},
                   {"layer": -1, "weights": [], "bias": "7"}]})");
    const SkipNetwork s2 = skip_network_from_json(j);
    const Network f2 = network_from_json(j);
    BOOST_TEST(f2.levels == 2);
    for (int k = 0; k < 20; ++k) {
        const std::vector<mpq_rational> x = {mpq_rational(u(test::rng()), 1000), mpq_rational(u(test::rng()), 1000)};
        const auto want = exact_skip(s2, x);
        const auto got = ExactForward(f2).readouts(x);
        for (size_t i = 0; i < got.size(); ++i) BOOST_TEST(got[i] == want[i]);
        // IntervalForward reads readouts out of layer order too
        std::vector<Interval> box;
        for (const auto& xi : x) box.push_back(of_rational(xi));
        IntervalForward pass(f2, Precision(256));
        const auto& phi = pass.evaluate(box);
        for (size_t i = 0; i < got.size(); ++i) BOOST_TEST(contains(phi[i], of_rational(got[i])));
    }
    // a read of a later layer is refused, naming the neuron
    nlohmann::json bad = j;
    bad["layers"][1]["neurons"][0]["weights"][1][0] = "L2:0";
    BOOST_TEST(mentions(message_of<InputError>([&] { network_from_json(bad); }), "layer 1 neuron 0"));
}

BOOST_AUTO_TEST_CASE(general_activations_are_enclosed) {
    // one neuron per activation, read at x = 0.75 over a box and at a point
    for (const char* act : {"tanh", "sigmoid", "softplus", "sin", "cos"}) {
        BOOST_TEST_CONTEXT(act) {
            const nlohmann::json j = {{"schema", "lpcert-network/2"}, {"inputs", 1},
                                      {"layers", {{{"neurons", {{{"activation", act}, {"weights", {{0, "3"}}}, {"bias", "-1"}}}}}}},
                                      {"readouts", {{{"layer", 0}, {"weights", {{0, "1"}}}, {"bias", "0"}}}}};
            const Network net = network_from_json(j);
            BOOST_CHECK_THROW(ExactForward(net).readouts({mpq_rational(1, 2)}), InputError);
            IntervalForward pass(net, Precision(128));
            // z = 3x - 1 at x = 0.75 is 1.25
            const std::string s = act;
            // mpmath at 30 digits
            const std::string value = s == "tanh" ? "0.848283639957512897613387646708"
                                      : s == "sigmoid" ? "0.777299861174691146999519547662"
                                      : s == "softplus" ? "1.50192908134537288895341872621"
                                      : s == "sin" ? "0.948984619355586214348490847036"
                                                   : "0.315322362395268665447538552438";
            const auto& phi = pass.evaluate({test::ref("0.75", 128)});
            Interval near = test::ref(value);
            Interval widened(Precision(256));
            Interval eps = test::ref("1e-28");
            Interval lo(Precision(256)), hi(Precision(256));
            sub(lo, near, eps);
            add(hi, near, eps);
            set_hull(widened, lo.lower(), hi.upper());
            BOOST_TEST(contains(widened, phi[0]));
            // over a box around 0.75, the enclosure holds the value at 0.75
            const auto& box = pass.evaluate({[] {
                Interval b(Precision(128));
                set_hull(b, test::ref("0.5", 128).lower(), test::ref("0.8", 128).upper());
                return b;
            }()});
            BOOST_TEST(contains(box[0], near));
        }
    }
    // softplus of a huge argument does not overflow: softplus(z) = z + log(1 + exp(-z))
    const nlohmann::json big = {{"schema", "lpcert-network/2"}, {"inputs", 1},
                                {"layers", {{{"neurons", {{{"activation", "softplus"}, {"weights", {{0, "1*2^80"}}}, {"bias", "0"}}}}}}},
                                {"readouts", {{{"layer", 0}, {"weights", {{0, "1"}}}, {"bias", "0"}}}}};
    const Network net = network_from_json(big);
    IntervalForward pass(net, Precision(128));
    const auto& phi = pass.evaluate({test::ref("1", 128)});
    BOOST_TEST(phi[0].is_finite());
    BOOST_TEST(contains(phi[0], Dyadic(1, 80).to_interval(Precision(128))));
}

BOOST_AUTO_TEST_CASE(bad_onnx_inputs_are_refused_with_one_line) {
    const std::string good = read_bytes(kData + "relu_d1.onnx");
    // an unsupported op, named
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx(kData + "unsupported_op.onnx"); }), "node 'erf_node' (op Erf)"));
    // truncated, not ONNX, empty, JSON
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(good.substr(0, good.size() / 2)); }), "onnx:"));
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes("this is not an ONNX model at all\n"); }), "onnx:"));
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(""); }), "onnx:"));
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx(kData + "relu_d1.json"); }), "onnx:"));
    BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx(kData + "no_such_file.onnx"); }), "cannot open"));
    // a non-finite weight, naming the initializer
    {
        onnx::ModelProto m = load_model("relu_d1");
        auto* w = m.mutable_graph()->mutable_initializer(0);
        std::string raw = w->raw_data();
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::memcpy(raw.data() + 4, &nan, 4);
        w->set_raw_data(raw);
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "initializer '" + w->name() + "' entry 1 is not finite"));
    }
    // mismatched shapes: raw data of the wrong length; a weight of the wrong width
    {
        onnx::ModelProto m = load_model("relu_d1");
        auto* w = m.mutable_graph()->mutable_initializer(0);
        w->set_raw_data(w->raw_data().substr(4));
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "mismatched shape"));
    }
    {
        onnx::ModelProto m = load_model("relu_d1");
        auto* w = m.mutable_graph()->mutable_initializer(0);   // 8 x 1 -> 4 x 2
        w->set_dims(0, 4);
        w->set_dims(1, 2);
        const std::string node = m.graph().node(0).name();
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "node '" + node + "' (op Gemm)"));
    }
    // no outputs
    {
        onnx::ModelProto m = load_model("relu_d1");
        m.mutable_graph()->clear_output();
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "onnx:"));
    }
    // a product of two tensors that depend on x (not affine), and a division by 3 (not exact)
    {
        onnx::ModelProto m = load_model("relu_d1");
        auto* node = m.mutable_graph()->mutable_node(1);   // Relu(h) -> Mul(h, h)
        node->set_op_type("Mul");
        node->add_input(node->input(0));
        node->set_name("square");
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "node 'square' (op Mul)"));
        onnx::TensorProto* three = m.mutable_graph()->add_initializer();
        three->set_name("three");
        three->set_data_type(onnx::TensorProto::FLOAT);
        three->add_float_data(3.0f);
        node->set_op_type("Div");
        node->set_input(1, "three");
        node->set_name("third");
        BOOST_TEST(mentions(message_of<InputError>([&] { import_onnx_bytes(bytes_of(m)); }), "node 'third' (op Div)"));
        three->set_float_data(0, 0.25f);   // a power of two: exact
        const Network net = import_onnx_bytes(bytes_of(m));
        BOOST_TEST(net.layers.size() == 1u);
    }
    // beyond the size limits: ResourceLimit
    OnnxLimits small;
    small.max_weights = 20;
    BOOST_CHECK_THROW(import_onnx(kData + "relu_d1.onnx", small), ResourceLimit);
    OnnxLimits few;
    few.max_neurons = 4;
    BOOST_CHECK_THROW(import_onnx(kData + "relu_d1.onnx", few), ResourceLimit);
    OnnxLimits tiny_file;
    tiny_file.max_file_bytes = 100;
    BOOST_CHECK_THROW(import_onnx(kData + "relu_d1.onnx", tiny_file), ResourceLimit);
}

BOOST_AUTO_TEST_CASE(v1_files_read_as_before) {
    // a v1 network exported and re-read is unchanged; its schema string stays /1
    const Network net = network_from_json(read_json(kData + "relu_d1.json"));
    const nlohmann::json v1 = network_to_json(net);
    BOOST_TEST(v1["schema"] == "lpcert-network/1");
    BOOST_TEST(network_to_json(network_from_json(v1)) == v1);
    nlohmann::json bad = v1;
    bad["layers"][0]["neurons"][0]["bias"] = "0.5";   // decimals are a /2 feature
    BOOST_CHECK_THROW(network_from_json(bad), InputError);
}

namespace {

onnx::NodeProto* add_node(onnx::GraphProto& g, const std::string& op, std::vector<std::string> in, const std::string& out) {
    onnx::NodeProto* n = g.add_node();
    n->set_op_type(op);
    n->set_name(out + "_node");
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
}

void add_float_initializer(onnx::GraphProto& g, const std::string& name, std::vector<long> dims, std::vector<float> values) {
    onnx::TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (long d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
}

}  // namespace

BOOST_AUTO_TEST_CASE(hand_made_graph_of_every_affine_op) {
    // x (shape [1, 2]) -> s = x - [0.5, -2] -> f = Flatten(s) -> r = Reshape(f, [-1]) -> u = Unsqueeze(r, [0])
    // -> q = Squeeze(u, [0]) -> n = Neg(x) -> c = Concat(q, Flatten(n), axis -1) (4 entries)
    // -> m = W c (W 2x4 constant, MatMul(W, Reshape(c, [4]))) -> h = Relu(m * 0.5) / 0.25
    // -> y = h + Identity(Constant 3) ; z = LeakyRelu(m[0..1], alpha 0.25) summed by MatMul with [1, 1]
    onnx::ModelProto model;
    model.set_ir_version(8);
    auto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    onnx::GraphProto& g = *model.mutable_graph();
    g.set_name("every_op");
    auto* x = g.add_input();
    x->set_name("x");
    x->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(1);
    x->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
    add_float_initializer(g, "c0", {2}, {0.5f, -2.0f});
    add_float_initializer(g, "W", {2, 4}, {1, 2, 3, 4, -1, 0.5f, 0, 0.1f});
    add_float_initializer(g, "half", {}, {0.5f});
    add_float_initializer(g, "quarter", {1}, {0.25f});
    add_float_initializer(g, "ones", {2, 1}, {1, 1});
    onnx::TensorProto* shape = g.add_initializer();
    shape->set_name("minus_one");
    shape->set_data_type(onnx::TensorProto::INT64);
    shape->add_dims(1);
    shape->add_int64_data(-1);
    onnx::TensorProto* axes = g.add_initializer();
    axes->set_name("axes0");
    axes->set_data_type(onnx::TensorProto::INT64);
    axes->add_dims(1);
    axes->add_int64_data(0);
    add_node(g, "Sub", {"x", "c0"}, "s");
    add_node(g, "Flatten", {"s"}, "f");
    add_node(g, "Reshape", {"f", "minus_one"}, "r");
    add_node(g, "Unsqueeze", {"r", "axes0"}, "u");
    add_node(g, "Squeeze", {"u", "axes0"}, "q");
    add_node(g, "Neg", {"x"}, "n");
    add_node(g, "Flatten", {"n"}, "nf");
    add_node(g, "Reshape", {"nf", "minus_one"}, "nr");
    add_node(g, "Concat", {"q", "nr"}, "c")->add_attribute()->CopyFrom([] {
        onnx::AttributeProto a;
        a.set_name("axis");
        a.set_type(onnx::AttributeProto::INT);
        a.set_i(-1);
        return a;
    }());
    add_node(g, "MatMul", {"W", "c"}, "m");
    add_node(g, "Mul", {"m", "half"}, "mh");
    add_node(g, "Relu", {"mh"}, "h0");
    add_node(g, "Div", {"h0", "quarter"}, "h");
    auto* k = add_node(g, "Constant", {}, "three");
    auto* ka = k->add_attribute();
    ka->set_name("value_float");
    ka->set_type(onnx::AttributeProto::FLOAT);
    ka->set_f(3.0f);
    add_node(g, "Identity", {"three"}, "three_id");
    add_node(g, "Add", {"h", "three_id"}, "y");
    auto* leaky = add_node(g, "LeakyRelu", {"m"}, "l");
    auto* la = leaky->add_attribute();
    la->set_name("alpha");
    la->set_type(onnx::AttributeProto::FLOAT);
    la->set_f(0.25f);
    add_node(g, "MatMul", {"l", "ones"}, "z");
    for (const char* name : {"y", "z"}) {
        auto* o = g.add_output();
        o->set_name(name);
        o->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
        o->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("n");
    }
    const Network net = import_onnx_bytes(bytes_of(model));
    BOOST_TEST(net.d == 2);
    BOOST_TEST(net.levels == 2);   // y has 2 entries, z has 1
    std::uniform_int_distribution<long> u(-64, 64);
    const mpq_rational w01 = [] {
        mpq_rational q;
        dyadic_from_double(0.1f, "w").to_mpq(q.backend().data());
        return q;
    }();
    for (int t = 0; t < 20; ++t) {
        const std::vector<mpq_rational> xs = {mpq_rational(u(test::rng()), 16), mpq_rational(u(test::rng()), 16)};
        const std::vector<mpq_rational> c = {xs[0] - mpq_rational(1, 2), xs[1] + 2, -xs[0], -xs[1]};
        const mpq_rational m0 = c[0] + 2 * c[1] + 3 * c[2] + 4 * c[3];
        const mpq_rational m1 = -c[0] + c[1] / 2 + w01 * c[3];
        auto relu = [](const mpq_rational& v) { return v > 0 ? v : mpq_rational(0); };
        auto leaky_relu = [](const mpq_rational& v) { return v > 0 ? v : v / 4; };
        const std::vector<mpq_rational> want = {relu(m0 / 2) * 4 + 3, relu(m1 / 2) * 4 + 3, leaky_relu(m0) + leaky_relu(m1)};
        const auto got = ExactForward(net).readouts(xs);
        BOOST_REQUIRE_EQUAL(got.size(), 3u);
        for (size_t i = 0; i < 3; ++i) BOOST_TEST(got[i] == want[i]);
    }
}
