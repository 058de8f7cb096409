#include "construction/onnx_import.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>

#include "quadrature/errors.hpp"

namespace lpcert {

Dyadic dyadic_from_double(double x, const std::string& what) {
    if (!std::isfinite(x)) throw InputError(what + " is not finite");
    if (x == 0) return Dyadic();
    int e = 0;
    const double m = std::frexp(x, &e);                      // x = m 2^e, 1/2 <= |m| < 1
    const auto mantissa = static_cast<long long>(std::ldexp(m, 53));   // exact: 53 bits
    return Dyadic(boost::multiprecision::mpz_int(mantissa), static_cast<long>(e) - 53);
}

bool looks_like_json(const std::string& head) {
    for (char c : head) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
        return c == '{';
    }
    return false;
}

namespace {

// Entry i of a raw_data byte string of T values, stored little-endian by the ONNX format.
template <class T>
T little_endian(const std::string& raw, size_t i) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::uint64_t bits = 0;
    for (size_t b = sizeof(T); b-- > 0;) bits = (bits << 8) | static_cast<unsigned char>(raw[sizeof(T) * i + b]);
    T v;
    if constexpr (sizeof(T) == 4) {
        const auto narrow = static_cast<std::uint32_t>(bits);
        std::memcpy(&v, &narrow, 4);
    } else {
        std::memcpy(&v, &bits, sizeof(T));
    }
    return v;
}

const char* const kSupported =
    "Gemm, MatMul, Add, Sub, Neg, Mul, Div, Relu, LeakyRelu, Tanh, Sigmoid, Softplus, Sin, Cos, Floor, Identity, "
    "Flatten, Reshape, Unsqueeze, Squeeze, Concat, Constant";

// A name from the file, safe to print on one line.
std::string printable(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 80)) out += (c >= 32 && c < 127) ? c : '?';
    if (s.size() > 80) out += "...";
    return out;
}

struct Tensor {   // a constant
    std::vector<long> dims;
    std::vector<Dyadic> data;
};

struct Affine {
    std::map<NetworkSource, Dyadic> w;
    Dyadic bias;
    int depth() const { return w.empty() ? -1 : std::max(-1, w.rbegin()->first.layer); }
};

struct Value {
    bool constant = false;
    Tensor c;                 // constant
    std::vector<Affine> v;    // otherwise: the entries of the vector
    int rank = 1;             // its ONNX rank (1 or 2 with a batch dimension of 1)
};

class Importer {
public:
    Importer(const OnnxLimits& limits) : limits_(limits) {}

    SkipNetwork run(const std::string& bytes) {
        if (static_cast<long>(bytes.size()) > limits_.max_file_bytes) {
            throw ResourceLimit("onnx: the file has " + std::to_string(bytes.size()) + " bytes (limit " +
                                std::to_string(limits_.max_file_bytes) + ")");
        }
        onnx::ModelProto model;
        if (bytes.empty() || !model.ParseFromString(bytes)) throw InputError("onnx: the file is not an ONNX model (no valid protobuf)");
        if (!model.has_graph()) throw InputError("onnx: the file is not an ONNX model (no graph)");
        const auto& g = model.graph();
        if (g.node_size() > limits_.max_nodes) {
            throw ResourceLimit("onnx: the graph has " + std::to_string(g.node_size()) + " nodes (limit " +
                                std::to_string(limits_.max_nodes) + ")");
        }
        try {
            onnx::checker::check_model(model);
        } catch (const std::exception& e) {
            std::string what = e.what();
            std::replace(what.begin(), what.end(), '\n', ' ');
            throw InputError("onnx: the model fails the ONNX checker: " + printable(what.substr(0, 300)));
        }
        for (const auto& opset : model.opset_import()) {
            if ((opset.domain().empty() || opset.domain() == "ai.onnx") && (opset.version() < 7 || opset.version() > 18)) {
                throw InputError("onnx: opset " + std::to_string(opset.version()) + " is not supported (7 to 18)");
            }
        }
        for (const auto& init : g.initializer()) values_[init.name()] = constant_value(tensor_from(init, "initializer '" + printable(init.name()) + "'"));
        read_input(g);
        for (const auto& node : g.node()) apply(node);
        if (g.output_size() == 0) throw InputError("onnx: the graph has no outputs (every output is a readout)");
        for (const auto& out : g.output()) {
            const Value& v = value(out.name(), "graph output");
            const std::vector<Affine> forms = v.constant ? forms_of(v) : v.v;
            for (const auto& f : forms) {
                SkipReadout r;
                r.layer = f.w.empty() ? -1 : std::max(0, f.depth());
                for (const auto& [s, w] : f.w) r.weights.emplace_back(s, w);
                r.bias = f.bias;
                add_weights(static_cast<long>(r.weights.size()));
                net_.readouts.push_back(std::move(r));
            }
        }
        if (net_.readouts.empty()) throw InputError("onnx: the graph's outputs are empty (no readout)");
        return std::move(net_);
    }

private:
    const OnnxLimits& limits_;
    SkipNetwork net_;
    std::map<std::string, Value> values_;
    long neurons_ = 0, weights_ = 0, constants_ = 0;
    std::string where_;   // "node 'NAME' (op TYPE)"

    [[noreturn]] void fail(const std::string& why) const { throw InputError("onnx: " + where_ + " " + why); }

    void add_weights(long n) {
        weights_ += n;
        if (weights_ > limits_.max_weights) {
            throw ResourceLimit("onnx: the network has more than " + std::to_string(limits_.max_weights) + " weights");
        }
    }

    // ---- constants --------------------------------------------------------------------------------

    Tensor tensor_from(const onnx::TensorProto& t, const std::string& what) {
        if (t.data_location() == onnx::TensorProto::EXTERNAL) throw InputError("onnx: " + what + " has external data (not supported)");
        Tensor out;
        long count = 1;
        for (auto dim : t.dims()) {
            if (dim < 0 || dim > limits_.max_weights * 4L) throw InputError("onnx: " + what + " has a dimension of " + std::to_string(dim));
            count *= static_cast<long>(dim);
            if (count > limits_.max_weights * 4L) {
                throw ResourceLimit("onnx: " + what + " has more than " + std::to_string(limits_.max_weights * 4L) + " entries");
            }
            out.dims.push_back(static_cast<long>(dim));
        }
        const auto n = static_cast<size_t>(count);
        constants_ += count;
        if (constants_ > limits_.max_weights * 4L) {
            throw ResourceLimit("onnx: the constants of the model have more than " + std::to_string(limits_.max_weights * 4L) + " entries");
        }
        const std::string& raw = t.raw_data();
        auto need = [&](size_t have, const char* field) {
            if (have != n) {
                throw InputError("onnx: " + what + " has " + std::to_string(have) + " values in " + field + " for " +
                                 std::to_string(n) + " entries (mismatched shape)");
            }
        };
        auto entry = [&](size_t i) { return what + " entry " + std::to_string(i); };
        // Every value from raw_data (little-endian, whatever this machine's order) or from the
        // typed repeated field, converted EXACTLY by `convert`.
        auto read = [&](auto sample, int field_size, auto field, const char* field_name, auto convert) {
            using T = decltype(sample);
            if (t.has_raw_data()) {
                need(raw.size() / sizeof(T), "raw_data");
                if (raw.size() % sizeof(T)) need(n + 1, "raw_data");
                for (size_t i = 0; i < n; ++i) out.data.push_back(convert(little_endian<T>(raw, i), i));
            } else {
                need(static_cast<size_t>(field_size), field_name);
                for (size_t i = 0; i < n; ++i) out.data.push_back(convert(static_cast<T>(field(static_cast<int>(i))), i));
            }
        };
        auto from_float = [&](double v, size_t i) { return dyadic_from_double(v, entry(i)); };
        auto from_integer = [](std::int64_t v, size_t) { return Dyadic(boost::multiprecision::mpz_int(static_cast<long long>(v)), 0); };
        switch (t.data_type()) {
            case onnx::TensorProto::FLOAT:
                read(float{}, t.float_data_size(), [&](int i) { return t.float_data(i); }, "float_data", from_float);
                break;
            case onnx::TensorProto::DOUBLE:
                read(double{}, t.double_data_size(), [&](int i) { return t.double_data(i); }, "double_data", from_float);
                break;
            case onnx::TensorProto::INT64:
                read(std::int64_t{}, t.int64_data_size(), [&](int i) { return t.int64_data(i); }, "int64_data", from_integer);
                break;
            case onnx::TensorProto::INT32:
                read(std::int32_t{}, t.int32_data_size(), [&](int i) { return t.int32_data(i); }, "int32_data", from_integer);
                break;
            default:
                throw InputError("onnx: " + what + " has data type " + std::to_string(t.data_type()) +
                                 " (float, double, int32 and int64 are supported)");
        }
        return out;
    }

    static Value constant_value(Tensor t) {
        Value v;
        v.constant = true;
        v.rank = static_cast<int>(t.dims.size());
        v.c = std::move(t);
        return v;
    }

    static std::vector<Affine> forms_of(const Value& v) {
        std::vector<Affine> out(v.c.data.size());
        for (size_t i = 0; i < out.size(); ++i) out[i].bias = v.c.data[i];
        return out;
    }

    // ---- the graph's input ------------------------------------------------------------------------

    void read_input(const onnx::GraphProto& g) {
        std::set<std::string> initializers;
        for (const auto& init : g.initializer()) initializers.insert(init.name());
        const onnx::ValueInfoProto* input = nullptr;
        int count = 0;
        for (const auto& in : g.input()) {
            if (initializers.count(in.name())) continue;
            input = &in;
            ++count;
        }
        if (count != 1) throw InputError("onnx: the graph has " + std::to_string(count) + " inputs (one vector input x is expected)");
        const std::string what = "onnx: the input '" + printable(input->name()) + "'";
        if (!input->type().has_tensor_type() || !input->type().tensor_type().has_shape()) {
            throw InputError(what + " is not a tensor of known shape");
        }
        const auto elem = input->type().tensor_type().elem_type();
        if (elem != onnx::TensorProto::FLOAT && elem != onnx::TensorProto::DOUBLE) throw InputError(what + " is not float or double");
        const auto& shape = input->type().tensor_type().shape();
        const int rank = shape.dim_size();
        if (rank < 1 || rank > 2) throw InputError(what + " has rank " + std::to_string(rank) + " (shape [d] or [1, d] expected)");
        const auto& last = shape.dim(rank - 1);
        if (!last.has_dim_value() || last.dim_value() < 1) throw InputError(what + " has no fixed size d");
        if (last.dim_value() > limits_.max_inputs) {
            throw ResourceLimit(what + " has " + std::to_string(last.dim_value()) + " entries (limit " +
                                std::to_string(limits_.max_inputs) + ")");
        }
        if (rank == 2 && shape.dim(0).has_dim_value() && shape.dim(0).dim_value() != 1) {
            throw InputError(what + " has a batch dimension of " + std::to_string(shape.dim(0).dim_value()) + " (1 expected)");
        }
        net_.d = static_cast<int>(last.dim_value());
        Value x;
        x.rank = rank;
        for (int i = 0; i < net_.d; ++i) {
            Affine a;
            a.w[NetworkSource{-1, i}] = Dyadic(1);
            x.v.push_back(std::move(a));
        }
        values_[input->name()] = std::move(x);
    }

    // ---- nodes ------------------------------------------------------------------------------------

    const Value& value(const std::string& name, const std::string& role) const {
        auto it = values_.find(name);
        if (it == values_.end()) throw InputError("onnx: " + (where_.empty() ? role : where_) + " reads '" + printable(name) + "', which no node produces");
        return it->second;
    }

    const Value& input(const onnx::NodeProto& node, int i) const {
        if (node.input_size() <= i || node.input(i).empty()) fail("lacks input " + std::to_string(i));
        return value(node.input(i), "");
    }

    const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name) const {
        for (const auto& a : node.attribute())
            if (a.name() == name) return &a;
        return nullptr;
    }

    long int_attribute(const onnx::NodeProto& node, const char* name, long fallback) const {
        const auto* a = attribute(node, name);
        return a ? static_cast<long>(a->i()) : fallback;
    }

    Dyadic float_attribute(const onnx::NodeProto& node, const char* name, double fallback) const {
        const auto* a = attribute(node, name);
        return dyadic_from_double(a ? static_cast<double>(a->f()) : fallback, "onnx: " + where_ + " attribute " + name);
    }

    void set_output(const onnx::NodeProto& node, Value v) {
        if (node.output_size() < 1) fail("has no output");
        if (!v.constant) {
            long entries = 0;
            for (const auto& a : v.v) entries += static_cast<long>(a.w.size());
            if (entries > limits_.max_weights) {
                throw ResourceLimit("onnx: " + where_ + " makes an affine value of more than " + std::to_string(limits_.max_weights) + " weights");
            }
        }
        values_[node.output(0)] = std::move(v);
    }

    // out += k * a (exact)
    static void add_scaled(Affine& out, const Affine& a, const Dyadic& k) {
        if (k.is_zero()) return;
        out.bias = out.bias + k * a.bias;
        for (const auto& [s, w] : a.w) {
            auto it = out.w.find(s);
            if (it == out.w.end()) {
                out.w.emplace(s, k * w);
            } else {
                it->second = it->second + k * w;
                if (it->second.is_zero()) out.w.erase(it);
            }
        }
    }

    // Entry i of a vector of n entries broadcast from `size` entries (1 or n).
    size_t broadcast(size_t size, size_t n, size_t i) const {
        if (size == n) return i;
        if (size == 1) return 0;
        fail("combines vectors of " + std::to_string(size) + " and " + std::to_string(n) + " entries (mismatched shapes)");
    }

    void cost(double operations) {
        if (operations > 50.0 * static_cast<double>(limits_.max_weights)) {
            throw ResourceLimit("onnx: " + where_ + " needs about " + std::to_string(static_cast<long>(operations)) +
                                " exact multiplications (limit " + std::to_string(50 * limits_.max_weights) + ")");
        }
    }

    static long forms_size(const std::vector<Affine>& v) {
        long s = 0;
        for (const auto& a : v) s += static_cast<long>(a.w.size()) + 1;
        return s;
    }

    // y_n = sum_k x_k W(k, n) for a vector x of K entries and a constant matrix
    Value linear(const Value& x, const Tensor& w, bool transposed) {
        if (w.dims.size() != 2) fail("has a weight of rank " + std::to_string(w.dims.size()) + " (2 expected)");
        const long K = transposed ? w.dims[1] : w.dims[0];
        const long N = transposed ? w.dims[0] : w.dims[1];
        if (K != static_cast<long>(x.v.size())) {
            fail("multiplies a vector of " + std::to_string(x.v.size()) + " entries by a " + std::to_string(w.dims[0]) + "x" +
                 std::to_string(w.dims[1]) + " weight (mismatched shapes)");
        }
        cost(static_cast<double>(N) * static_cast<double>(forms_size(x.v)));
        Value y;
        y.rank = x.rank;
        y.v.resize(static_cast<size_t>(N));
        for (long n = 0; n < N; ++n)
            for (long k = 0; k < K; ++k)
                add_scaled(y.v[static_cast<size_t>(n)], x.v[static_cast<size_t>(k)],
                           w.data[static_cast<size_t>(transposed ? n * K + k : k * N + n)]);
        return y;
    }

    // a + sign * b (either may be constant)
    Value add(const Value& a, const Value& b, int sign) {
        Value y;
        if (a.constant && b.constant) {
            const size_t n = std::max(a.c.data.size(), b.c.data.size());
            y = constant_value(a.c.data.size() >= b.c.data.size() ? a.c : b.c);
            for (size_t i = 0; i < n; ++i) {
                const Dyadic& bv = b.c.data[broadcast(b.c.data.size(), n, i)];
                y.c.data[i] = a.c.data[broadcast(a.c.data.size(), n, i)] + (sign > 0 ? bv : -bv);
            }
            return y;
        }
        const std::vector<Affine> fa = a.constant ? forms_of(a) : a.v, fb = b.constant ? forms_of(b) : b.v;
        const size_t n = std::max(fa.size(), fb.size());
        y.rank = std::max(a.rank, b.rank);
        y.v.resize(n);
        for (size_t i = 0; i < n; ++i) {
            add_scaled(y.v[i], fa[broadcast(fa.size(), n, i)], Dyadic(1));
            add_scaled(y.v[i], fb[broadcast(fb.size(), n, i)], Dyadic(sign));
        }
        return y;
    }

    // x * k entrywise (k constant)
    Value scale(const Value& x, const std::vector<Dyadic>& k) {
        if (x.constant) {
            Value y = x;
            const size_t n = std::max(x.c.data.size(), k.size());
            y.c.data.resize(n);
            for (size_t i = 0; i < n; ++i) y.c.data[i] = x.c.data[broadcast(x.c.data.size(), n, i)] * k[broadcast(k.size(), n, i)];
            if (k.size() > x.c.data.size()) y.c.dims = {static_cast<long>(n)};
            return y;
        }
        const size_t n = std::max(x.v.size(), k.size());
        Value y;
        y.rank = x.rank;
        y.v.resize(n);
        for (size_t i = 0; i < n; ++i) add_scaled(y.v[i], x.v[broadcast(x.v.size(), n, i)], k[broadcast(k.size(), n, i)]);
        return y;
    }

    // One neuron per entry, on the layer after the entry's deepest source.
    int neuron(Activation act, const Affine& pre) {
        const int layer = pre.depth() + 1;
        if (static_cast<int>(net_.layers.size()) <= layer) net_.layers.resize(static_cast<size_t>(layer) + 1);
        SkipNeuron n;
        n.activation = act;
        n.bias = pre.bias;
        for (const auto& [s, w] : pre.w) n.weights.emplace_back(s, w);
        add_weights(static_cast<long>(n.weights.size()));
        if (++neurons_ > limits_.max_neurons) {
            throw ResourceLimit("onnx: the network has more than " + std::to_string(limits_.max_neurons) + " neurons");
        }
        auto& l = net_.layers[static_cast<size_t>(layer)];
        l.push_back(std::move(n));
        return static_cast<int>(l.size()) - 1;
    }

    Value nonlinear(const Value& x, Activation act, const Dyadic* leaky_slope) {
        const std::vector<Affine> forms = x.constant ? forms_of(x) : x.v;
        Value y;
        y.rank = x.rank;
        for (const auto& f : forms) {
            Affine out;
            const int layer = f.depth() + 1;
            out.w[NetworkSource{layer, neuron(act, f)}] = Dyadic(1);
            if (leaky_slope != nullptr && !leaky_slope->is_zero()) {
                // leaky(z) = relu(z) - a relu(-z)
                Affine negated;
                add_scaled(negated, f, Dyadic(-1));
                out.w[NetworkSource{layer, neuron(Activation::ReLU, negated)}] = -*leaky_slope;
            }
            y.v.push_back(std::move(out));
        }
        return y;
    }

    const Tensor& constant_input(const onnx::NodeProto& node, int i, const char* what) const {
        const Value& v = input(node, i);
        if (!v.constant) fail("needs a constant " + std::string(what) + " (input " + std::to_string(i) + ")");
        return v.c;
    }

    // Reshape/Flatten/Squeeze/Unsqueeze: a vector stays the same vector (its rank is tracked).
    Value reshape(const onnx::NodeProto& node) {
        const std::string& op = node.op_type();
        const Value& x = input(node, 0);
        Value y = x;
        const long n = static_cast<long>(x.constant ? x.c.data.size() : x.v.size());
        if (op == "Reshape") {
            const Tensor& shape = constant_input(node, 1, "shape");
            if (shape.dims.size() != 1 || shape.data.size() > 8) fail("has a shape that is not a short vector");
            std::vector<long> dims;
            long known = 1;
            int unknown = -1;
            for (size_t i = 0; i < shape.data.size(); ++i) {
                const Dyadic& s = shape.data[i];
                if (s.exponent() < 0 || s.exponent() + s.mantissa_bits() > 40) fail("has an invalid shape");
                long v = s.floor().convert_to<long>();
                if (v == 0 && x.constant && i < x.c.dims.size()) v = x.c.dims[i];
                if (v == 0 && !x.constant) v = (i + 1 == shape.data.size() || x.rank == 1) ? n : 1;
                if (v == -1) {
                    if (unknown >= 0) fail("has two -1 in its shape");
                    unknown = static_cast<int>(i);
                } else if (v < 1) {
                    fail("has an invalid shape");
                } else {
                    known *= v;
                    if (known > n) fail("reshapes " + std::to_string(n) + " entries (mismatched shapes)");
                }
                dims.push_back(v);
            }
            if (unknown >= 0) {
                if (known == 0 || n % known != 0) fail("reshapes " + std::to_string(n) + " entries (mismatched shapes)");
                dims[static_cast<size_t>(unknown)] = n / known;
            } else if (known != n) {
                fail("reshapes " + std::to_string(n) + " entries to " + std::to_string(known) + " (mismatched shapes)");
            }
            if (!x.constant) {
                int big = 0;
                for (long v : dims) big += v != 1;
                if (big > 1) fail("reshapes a vector into a matrix (only vectors are supported)");
            }
            y.rank = static_cast<int>(dims.size());
            if (x.constant) y.c.dims = dims;
            return y;
        }
        if (x.constant) {   // the other shape changes of a constant: as a vector
            y.c.dims = {n};
            y.rank = 1;
            if (op == "Flatten") y.c.dims = {1, n}, y.rank = 2;
            return y;
        }
        if (op == "Flatten") {
            y.rank = 2;
        } else if (op == "Unsqueeze") {
            long axes = 1;
            if (node.input_size() > 1) axes = static_cast<long>(constant_input(node, 1, "axes").data.size());
            else if (const auto* a = attribute(node, "axes")) axes = a->ints_size();
            y.rank = static_cast<int>(std::min(8L, x.rank + axes));
        } else {   // Squeeze
            long axes = -1;
            if (node.input_size() > 1 && !node.input(1).empty()) axes = static_cast<long>(constant_input(node, 1, "axes").data.size());
            else if (const auto* a = attribute(node, "axes")) axes = a->ints_size();
            y.rank = axes < 0 ? (n == 1 ? 0 : 1) : static_cast<int>(std::max(0L, x.rank - axes));
        }
        return y;
    }

    Value concat(const onnx::NodeProto& node) {
        if (node.input_size() < 1) fail("has no inputs");
        const long axis = int_attribute(node, "axis", 0);
        Value y;
        y.rank = input(node, 0).rank;
        bool all_constant = true;
        for (int i = 0; i < node.input_size(); ++i) all_constant = all_constant && input(node, i).constant;
        if (axis != -1 && axis != y.rank - 1) fail("concatenates along axis " + std::to_string(axis) + " (only the last axis of vectors)");
        if (all_constant) {
            Tensor t;
            for (int i = 0; i < node.input_size(); ++i) {
                const auto& d = input(node, i).c.data;
                t.data.insert(t.data.end(), d.begin(), d.end());
            }
            t.dims = {static_cast<long>(t.data.size())};
            return constant_value(std::move(t));
        }
        for (int i = 0; i < node.input_size(); ++i) {
            const Value& v = input(node, i);
            const std::vector<Affine> f = v.constant ? forms_of(v) : v.v;
            y.v.insert(y.v.end(), f.begin(), f.end());
        }
        return y;
    }

    Value gemm(const onnx::NodeProto& node) {
        if (int_attribute(node, "transA", 0) != 0) fail("has transA = 1 (not supported)");
        const Value& a = input(node, 0);
        if (a.constant) fail("multiplies a constant by a weight (the first input must depend on x)");
        const Dyadic alpha = float_attribute(node, "alpha", 1.0), beta = float_attribute(node, "beta", 1.0);
        Value y = linear(a, constant_input(node, 1, "weight B"), int_attribute(node, "transB", 0) != 0);
        y.rank = 2;
        if (alpha != Dyadic(1)) y = scale(y, {alpha});
        if (node.input_size() > 2 && !node.input(2).empty() && !beta.is_zero()) {
            Value c = scale(input(node, 2), {beta});
            const size_t size = c.constant ? c.c.data.size() : c.v.size();
            if (size != 1 && size != y.v.size()) fail("has a bias C of " + std::to_string(size) + " entries for " + std::to_string(y.v.size()) + " outputs (mismatched shapes)");
            y = add(y, c, 1);
            y.rank = 2;
        }
        return y;
    }

    Value matmul(const onnx::NodeProto& node) {
        const Value& a = input(node, 0);
        const Value& b = input(node, 1);
        if (!a.constant && b.constant) {
            if (b.c.dims.size() == 1) {   // a dot product
                Tensor column{{b.c.dims[0], 1}, b.c.data};
                Value y = linear(a, column, false);
                y.rank = a.rank - 1;
                return y;
            }
            return linear(a, b.c, false);
        }
        if (a.constant && !b.constant) {   // W x with W of shape [N, K] and x a vector
            if (b.rank != 1) fail("multiplies a constant by a non-vector (only W x with x of shape [K])");
            return linear(b, a.c, true);
        }
        fail(a.constant ? "multiplies two constants (not supported)" : "multiplies two tensors that depend on x (not affine)");
    }

    Value mul_div(const onnx::NodeProto& node, bool divide) {
        const Value& a = input(node, 0);
        const Value& b = input(node, 1);
        if (!a.constant && !b.constant) fail("multiplies two tensors that depend on x (not affine)");
        if (divide && !b.constant) fail("divides by a tensor that depends on x (not affine)");
        const Value& x = b.constant ? a : b;
        const Value& k = b.constant ? b : a;
        std::vector<Dyadic> factors = k.c.data;
        if (divide) {
            for (auto& f : factors) {
                // 1/f is a dyadic only for f = +-2^e: anything else would be rounded
                if (f.is_zero()) fail("divides by zero");
                if (f.mantissa() != 1 && f.mantissa() != -1) fail("divides by " + f.to_string() + ", not a power of two (the quotient would not be exact)");
                f = Dyadic(f.mantissa(), -f.exponent());
            }
        }
        if (factors.empty()) fail("has an empty constant");
        return scale(x, factors);
    }

    Value constant_node(const onnx::NodeProto& node) {
        if (node.attribute_size() != 1) fail("must have exactly one attribute");
        const auto& a = node.attribute(0);
        Tensor t;
        if (a.name() == "value") return constant_value(tensor_from(a.t(), where_));
        if (a.name() == "value_float") t.data.push_back(dyadic_from_double(a.f(), "onnx: " + where_));
        else if (a.name() == "value_int") t.data.emplace_back(boost::multiprecision::mpz_int(static_cast<long long>(a.i())), 0);
        else if (a.name() == "value_floats") for (float f : a.floats()) t.data.push_back(dyadic_from_double(f, "onnx: " + where_));
        else if (a.name() == "value_ints") for (auto i : a.ints()) t.data.emplace_back(boost::multiprecision::mpz_int(static_cast<long long>(i)), 0);
        else fail("has attribute '" + printable(a.name()) + "' (not supported)");
        if (a.name() == "value_floats" || a.name() == "value_ints") t.dims = {static_cast<long>(t.data.size())};
        return constant_value(std::move(t));
    }

    void apply(const onnx::NodeProto& node) {
        const std::string& op = node.op_type();
        const std::string name = node.name().empty() ? (node.output_size() > 0 ? node.output(0) : std::string("?")) : node.name();
        where_ = "node '" + printable(name) + "' (op " + printable(op) + ")";
        if (node.output_size() != 1) fail("has " + std::to_string(node.output_size()) + " outputs (one expected)");
        const bool standard = node.domain().empty() || node.domain() == "ai.onnx";
        static const std::map<std::string, Activation> activations = {
            {"Relu", Activation::ReLU},       {"Tanh", Activation::Tanh}, {"Sigmoid", Activation::Sigmoid},
            {"Softplus", Activation::Softplus}, {"Sin", Activation::Sin},  {"Cos", Activation::Cos},
            {"Floor", Activation::Floor}};
        if (!standard) {
            fail("is not supported (domain '" + printable(node.domain()) + "'; supported: " + kSupported + ")");
        } else if (op == "Gemm") {
            set_output(node, gemm(node));
        } else if (op == "MatMul") {
            set_output(node, matmul(node));
        } else if (op == "Add" || op == "Sub") {
            set_output(node, add(input(node, 0), input(node, 1), op == "Add" ? 1 : -1));
        } else if (op == "Neg") {
            set_output(node, scale(input(node, 0), {Dyadic(-1)}));
        } else if (op == "Mul" || op == "Div") {
            set_output(node, mul_div(node, op == "Div"));
        } else if (activations.count(op)) {
            set_output(node, nonlinear(input(node, 0), activations.at(op), nullptr));
        } else if (op == "LeakyRelu") {
            const Dyadic alpha = float_attribute(node, "alpha", 0.01f);
            set_output(node, nonlinear(input(node, 0), Activation::ReLU, &alpha));
        } else if (op == "Identity") {
            set_output(node, input(node, 0));
        } else if (op == "Flatten" || op == "Reshape" || op == "Unsqueeze" || op == "Squeeze") {
            set_output(node, reshape(node));
        } else if (op == "Concat") {
            set_output(node, concat(node));
        } else if (op == "Constant") {
            set_output(node, constant_node(node));
        } else {
            fail(std::string("is not supported (supported: ") + kSupported + ")");
        }
        where_.clear();
    }
};

}  // namespace

SkipNetwork import_onnx_skip(const std::string& model, const OnnxLimits& limits) {
    return Importer(limits).run(model);
}

Network import_onnx_bytes(const std::string& model, const OnnxLimits& limits) {
    const SkipNetwork skip = import_onnx_skip(model, limits);
    Network net = flatten(skip, limits.max_neurons);
    long weights = 0;
    for (const auto& layer : net.layers)
        for (const auto& n : layer.neurons) weights += static_cast<long>(n.weights.size());
    if (weights > limits.max_weights) {
        throw ResourceLimit("onnx: the network with its carried skip connections has " + std::to_string(weights) +
                            " weights (limit " + std::to_string(limits.max_weights) + ")");
    }
    return net;
}

Network import_onnx(const std::string& path, const OnnxLimits& limits) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("onnx: cannot open '" + printable(path) + "'");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw InputError("onnx: cannot read '" + printable(path) + "'");
    if (size > limits.max_file_bytes) {
        throw ResourceLimit("onnx: '" + printable(path) + "' has " + std::to_string(size) + " bytes (limit " +
                            std::to_string(limits.max_file_bytes) + ")");
    }
    in.seekg(0);
    std::string bytes(static_cast<size_t>(size), '\0');
    in.read(bytes.data(), size);
    if (!in) throw InputError("onnx: cannot read '" + printable(path) + "'");
    return import_onnx_bytes(bytes, limits);
}

}  // namespace lpcert
