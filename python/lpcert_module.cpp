// The Python module `lpcert` (INTERFACE.md, "Python module"): a thin layer over the library's typed
// requests (RunRequest, IntegrateRequest, ModulusRequest, check_certificate), never over the CLI.
// Every function validates its arguments as the CLI does (same one-line messages), runs the job on
// a worker thread with the GIL released, and returns the JSON object the CLI writes as a dict.
//
// Ctrl-C: the calling thread waits for the worker in 50 ms steps; at each step it takes the GIL and
// calls PyErr_CheckSignals(). A pending exception (KeyboardInterrupt from SIGINT) requests a stop
// on the job's StopSource, the worker is joined (the library polls its token and ends promptly),
// and the pending exception is raised. Progress: the worker (possibly a TBB thread) only stores the
// latest (stage, done, total) under a mutex; the waiting thread calls the Python callable.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "quadrature/catalog.hpp"
#include "quadrature/errors.hpp"
#include "quadrature/expression.hpp"
#include "quadrature/integration.hpp"
#include "quadrature/interval.hpp"
#include "quadrature/lp_norm.hpp"
#include "quadrature/stop_token.hpp"
#include "verify/analysis.hpp"
#include "verify/certificate.hpp"
#include "verify/certify_run.hpp"
#include "verify/check.hpp"
#include "verify/json_io.hpp"
#include "verify/network_certification.hpp"
#include "verify/request_text.hpp"
#include "verify/run_request.hpp"

namespace py = pybind11;
using nlohmann::json;

namespace lpcert {
namespace {

// ---------------------------------------------------------------- JSON <-> Python

py::object to_python(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return py::none();
        case json::value_t::boolean: return py::bool_(j.get<bool>());
        case json::value_t::number_integer: return py::int_(j.get<long long>());
        case json::value_t::number_unsigned: return py::int_(j.get<unsigned long long>());
        case json::value_t::number_float: return py::float_(j.get<double>());
        case json::value_t::string: return py::str(j.get_ref<const std::string&>());
        case json::value_t::array: {
            py::list out;
            for (const auto& x : j) out.append(to_python(x));
            return std::move(out);
        }
        case json::value_t::object: {
            py::dict out;
            for (auto it = j.begin(); it != j.end(); ++it) out[py::str(it.key())] = to_python(it.value());
            return std::move(out);
        }
        default: return py::none();   // binary / discarded: never produced by lpcert
    }
}

json from_python(py::handle h, const std::string& where, int depth = 0) {
    if (depth > 200) throw InputError("certificate: nested too deeply at " + where);
    if (h.is_none()) return nullptr;
    if (py::isinstance<py::bool_>(h)) return h.cast<bool>();
    if (py::isinstance<py::int_>(h)) {
        try {
            return h.cast<long long>();
        } catch (const py::cast_error&) {
            throw InputError("certificate: integer out of range at " + where);
        }
    }
    if (py::isinstance<py::float_>(h)) return h.cast<double>();
    if (py::isinstance<py::str>(h)) return h.cast<std::string>();
    if (py::isinstance<py::dict>(h)) {
        json out = json::object();
        for (auto item : py::reinterpret_borrow<py::dict>(h)) {
            if (!py::isinstance<py::str>(item.first)) throw InputError("certificate: a key that is not a string at " + where);
            const std::string key = item.first.cast<std::string>();
            out[key] = from_python(item.second, where + "." + key, depth + 1);
        }
        return out;
    }
    if (py::isinstance<py::list>(h) || py::isinstance<py::tuple>(h)) {
        json out = json::array();
        size_t i = 0;
        for (auto x : py::reinterpret_borrow<py::sequence>(h))
            out.push_back(from_python(x, where + "[" + std::to_string(i++) + "]", depth + 1));
        return out;
    }
    throw InputError("certificate: a value of Python type " + std::string(py::str(h.get_type().attr("__name__"))) +
                     " at " + where + " (expected JSON values)");
}

// ---------------------------------------------------------------- argument conversion

// An exact decimal argument (p, tol, eta, steepness, target_error, delta): a str or an int. A float
// is refused: its value is a binary fraction, rarely the decimal that was typed (0.1 is not 1/10),
// and a certificate records its parameters exactly.
std::string decimal_text(py::handle h, const std::string& option) {
    if (py::isinstance<py::str>(h)) return h.cast<std::string>();
    if (py::isinstance<py::bool_>(h)) throw InputError(option + ": expected a decimal string or an int (got a bool)");
    if (py::isinstance<py::int_>(h)) return std::string(py::str(h));
    if (py::isinstance<py::float_>(h)) {
        throw InputError(option + ": pass the decimal as a string (e.g. '" + std::string(py::repr(h)) +
                         "'), not a float: a float is a binary fraction, not the decimal you typed");
    }
    throw InputError(option + ": expected a decimal string or an int (got " +
                     std::string(py::str(h.get_type().attr("__name__"))) + ")");
}

std::optional<std::string> optional_decimal(py::handle h, const std::string& option) {
    if (h.is_none()) return std::nullopt;
    return decimal_text(h, option);
}

// As the CLI's --max-memory: an int (bytes) or "0", "123456", "512K", "300M", "4G".
long memory_size(py::handle h) {
    if (py::isinstance<py::int_>(h) && !py::isinstance<py::bool_>(h)) {
        long long v;
        try {
            v = h.cast<long long>();
        } catch (const py::cast_error&) {
            throw InputError("--max-memory: expected a size such as 4G, 512M or 1000000 (got '" + std::string(py::str(h)) + "')");
        }
        if (v < 0) throw InputError("--max-memory: expected a size such as 4G, 512M or 1000000 (got '" + std::to_string(v) + "')");
        return static_cast<long>(v);
    }
    if (!py::isinstance<py::str>(h)) throw InputError("--max-memory: expected a size such as 4G, 512M or 1000000");
    return parse_memory_size(h.cast<std::string>());
}

using Target = TargetFunction;

// The positional `f` of integrate/modulus: a catalog name or an expression.
Target resolve_analysis_target(const std::optional<std::string>& f, const std::optional<std::string>& function,
                               const std::optional<int>& d) {
    if (f && !function && find_in_catalog(*f)) return resolve_target(f, std::nullopt, d);
    return resolve_target(function, f, d);
}

struct Budgets {
    int threads = 0;
    double max_seconds = 0;
    long max_memory = 0;
};

Budgets budgets(int threads, double max_seconds, py::handle max_memory) {
    check_threads(threads);
    check_max_seconds(max_seconds);
    return Budgets{threads, max_seconds, memory_size(max_memory)};
}

long precision(long prec) {
    check_precision_bits(prec);
    return prec;
}

int taylor(const std::optional<int>& order) { return checked_taylor_order(order.value_or(-1)); }

// ---------------------------------------------------------------- running a job

// Runs job(options, token) on a worker thread with the GIL released; see the file comment.
template <class Result>
Result run_job(const std::function<Result(const JobOptions&, const StopToken&)>& job, const Budgets& b,
               const py::object& progress) {
    StopSource source;
    source.set_budgets(b.max_seconds, b.max_memory);

    struct Shared {
        std::mutex mutex;
        std::condition_variable done_cv;
        bool done = false;
        bool fresh = false;   // a progress report not yet passed to Python
        std::string stage;
        long done_count = 0, total = 0;
    } shared;

    JobOptions options;
    options.threads = b.threads;
    if (!progress.is_none()) {
        options.progress = [&shared](const std::string& stage, long done, long total) {
            std::lock_guard<std::mutex> lock(shared.mutex);
            shared.stage = stage;
            shared.done_count = done;
            shared.total = total;
            shared.fresh = true;
        };
    }
    const StopToken token = source.token();

    std::optional<Result> result;
    std::exception_ptr error;
    std::unique_ptr<py::error_already_set> pending;   // KeyboardInterrupt, or what the callback raised
    {
        py::gil_scoped_release release;
        std::thread worker([&] {
            try {
                result.emplace(job(options, token));
            } catch (...) {
                error = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(shared.mutex);
            shared.done = true;
            shared.done_cv.notify_all();
        });
        for (;;) {
            std::optional<std::tuple<std::string, long, long>> report;
            {
                std::unique_lock<std::mutex> lock(shared.mutex);
                shared.done_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return shared.done; });
                if (shared.done) break;
                if (shared.fresh) {
                    report.emplace(shared.stage, shared.done_count, shared.total);
                    shared.fresh = false;
                }
            }
            if (pending) continue;   // stop requested: wait for the worker to end
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {
                pending = std::make_unique<py::error_already_set>();
                source.request_stop("interrupted (KeyboardInterrupt)");
                continue;
            }
            if (report) {
                try {
                    progress(std::get<0>(*report), std::get<1>(*report), std::get<2>(*report));
                } catch (py::error_already_set& e) {
                    pending = std::make_unique<py::error_already_set>(std::move(e));
                    source.request_stop("the progress callback raised");
                }
            }
        }
        worker.join();
    }
    // the last report of a job that ended between two polls (a short job may have had no other)
    if (!pending && !progress.is_none() && shared.fresh) {
        shared.fresh = false;
        progress(shared.stage, shared.done_count, shared.total);
    }
    if (pending) throw *pending;
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

// ---------------------------------------------------------------- the functions

py::object run(std::optional<std::string> function, std::optional<std::string> f, std::optional<int> d, int N,
               int levels, py::object p, long prec, py::object tol, py::object eta, int digit_bits,
               std::string construction, py::object steepness, py::object target_error, std::optional<int> taylor_order,
               int threads, double max_seconds, py::object max_memory, py::object progress) {
    const Target t = resolve_target(function, f, d);
    check_run_shape(N, levels, digit_bits);
    precision(prec);
    const Budgets b = budgets(threads, max_seconds, max_memory);
    parse_construction(construction);
    const int order = taylor(taylor_order);
    const std::string p_text = decimal_text(p, "--p");
    const Exponent exponent = Exponent::parse(p_text);
    const std::string tol_text = decimal_text(tol, "--tol");
    validate_tolerance(tol_text, "--tol");

    RunRequest r(t.label, t.f, t.d, exponent);
    r.N = N;
    r.levels = levels;
    r.precision_bits = prec;
    r.digit_bits = digit_bits;
    if (auto e = optional_decimal(eta, "--eta")) r.eta = parse_eta(*e, "--eta");
    r.construction = parse_construction(construction);
    if (auto s = optional_decimal(steepness, "--steepness")) {
        r.steepness = parse_steepness(*s, "--steepness");
        if (r.construction != Construction::SinRelu) throw InputError("--steepness: only with --construction sin-relu");
    }
    r.tol = tol_text;
    if (auto te = optional_decimal(target_error, "--target-error")) {
        parse_decimal(*te, Precision(64), "--target-error");
        r.target_error = *te;
    }
    r.taylor_order = order;
    const json cert = run_job<json>(
        [&r](const JobOptions& o, const StopToken& s) { return certify_run(r, o, s).certificate; }, b, progress);
    return to_python(cert);
}

py::object check(py::object cert, int threads, double max_seconds, py::object max_memory, py::object progress) {
    json certificate;
    std::string base_dir;   // where a network certificate's relative "file" is looked for
    if (py::isinstance<py::dict>(cert)) {
        certificate = from_python(cert, "certificate");
    } else if (py::isinstance<py::str>(cert) || py::hasattr(cert, "__fspath__")) {
        const std::string path = py::str(py::module_::import("os").attr("fspath")(cert));
        certificate = read_json_file(path);
        const size_t slash = path.find_last_of('/');
        base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
    } else {
        throw InputError("check: expected a certificate dict or a path");
    }
    const Budgets b = budgets(threads, max_seconds, max_memory);
    const bool network = certificate.is_object() && certificate.value("schema", "") == "lpcert-network-certificate/1";
    const CheckOutcome o = run_job<CheckOutcome>(
        [&](const JobOptions& opt, const StopToken& s) {
            return network ? check_network_certificate(certificate, opt, s, base_dir) : check_certificate(certificate, opt, s);
        },
        b, progress);
    py::dict out;
    out["passed"] = o.passed;
    out["first_failure"] = o.first_failure;
    out["levels_checked"] = o.levels_checked;
    return std::move(out);
}

py::object py_certify_network(py::object path, std::optional<std::string> f, std::optional<std::string> function,
                              py::object p, std::optional<std::string> domain, py::object tol, std::optional<long> prec,
                              int threads, double max_seconds, py::object max_memory, py::object progress) {
    const std::string file = py::str(py::module_::import("os").attr("fspath")(path));
    const std::string p_text = py::isinstance<py::str>(p) && p.cast<std::string>() == "inf" ? "inf" : decimal_text(p, "--p");
    const Budgets b = budgets(threads, max_seconds, max_memory);
    const NetworkCertificationRequest q =
        network_request(file, function, f, p_text, domain.value_or(""), decimal_text(tol, "--tol"), prec.value_or(0));
    const json cert = run_job<json>(
        [&q](const JobOptions& o, const StopToken& s) { return certify_network(q, o, s).certificate; }, b, progress);
    return to_python(cert);
}

py::object py_integrate(std::optional<std::string> f, std::optional<int> d, py::object p, bool signed_integral, long prec,
                     py::object tol, std::optional<std::string> function, std::optional<int> taylor_order, int threads,
                     double max_seconds, py::object max_memory, py::object progress) {
    const Target t = resolve_analysis_target(f, function, d);
    precision(prec);
    const Budgets b = budgets(threads, max_seconds, max_memory);
    const int order = taylor(taylor_order);
    const std::string p_text = decimal_text(p, "--p");
    const Exponent exponent = Exponent::parse(p_text);
    const std::string tol_text = decimal_text(tol, "--tol");
    validate_tolerance(tol_text, "--tol");
    IntegrateRequest q(t.label, t.f, t.d, exponent);
    q.signed_integral = signed_integral;
    q.precision_bits = prec;
    q.tol = tol_text;
    q.taylor_order = order;
    const json out = run_job<json>(
        [&q](const JobOptions& o, const StopToken& s) { return lpcert::integrate(q, o, s).json; }, b, progress);
    return to_python(out);
}

py::object py_modulus(std::optional<std::string> f, std::optional<int> d, py::object p, py::object delta, long prec,
                   std::optional<std::string> function, std::optional<int> taylor_order, int threads,
                   double max_seconds, py::object max_memory, py::object progress) {
    const Target t = resolve_analysis_target(f, function, d);
    precision(prec);
    const Budgets b = budgets(threads, max_seconds, max_memory);
    const int order = taylor(taylor_order);
    const std::string p_text = decimal_text(p, "--p");
    const Exponent exponent = Exponent::parse(p_text);
    const std::string delta_text = delta.is_none() ? std::string() : decimal_text(delta, "--delta");
    ModulusRequest q(t.label, t.f, t.d, exponent, delta_text);
    q.precision_bits = prec;
    q.taylor_order = order;
    const json out = run_job<json>(
        [&q](const JobOptions& o, const StopToken& s) { return lpcert::modulus(q, o, s).json; }, b, progress);
    return to_python(out);
}

py::object functions() {
    py::list out;
    for (const auto& e : catalog()) {
        const int d = std::max(e.min_dimension, 1);
        json entry = {{"name", e.name}, {"family", e.family}, {"min_dimension", e.min_dimension},
                      {"expression", e.expression(d)}, {"known", e.known}};
        out.append(to_python(entry));
    }
    return std::move(out);
}

}  // namespace
}  // namespace lpcert

PYBIND11_MODULE(lpcert, m) {
    using namespace pybind11::literals;
    m.doc() = "lpcert: certified L^p approximation claims about neural networks (rigorous interval arithmetic).\n"
              "Exact decimals (p, tol, eta, steepness, target_error, delta) are given as str or int; a float is\n"
              "refused with ValueError (its value is a binary fraction, not the decimal that was typed).";

    static py::exception<lpcert::Stopped> stopped(m, "Stopped", PyExc_RuntimeError);
    // Mapped once: bad input -> ValueError (the CLI's one-line message), refused resources -> MemoryError.
    py::register_exception_translator([](std::exception_ptr e) {
        try {
            if (e) std::rethrow_exception(e);
        } catch (const lpcert::InputError& x) {
            PyErr_SetString(PyExc_ValueError, x.what());
        } catch (const lpcert::DomainError& x) {
            PyErr_SetString(PyExc_ValueError, x.what());
        } catch (const lpcert::ResourceLimit& x) {
            PyErr_SetString(PyExc_MemoryError, x.what());
        } catch (const lpcert::Stopped& x) {
            PyErr_SetString(stopped.ptr(), x.what());
        }
    });

    m.def("run", &lpcert::run, "function"_a = py::none(), "f"_a = py::none(), "d"_a = py::none(), "N"_a = 2,
          "levels"_a = 3, "p"_a = "2", "prec"_a = 128, "tol"_a = "1e-3", "eta"_a = py::none(), "digit_bits"_a = 64,
          "construction"_a = "floor-relu", "steepness"_a = py::none(), "target_error"_a = py::none(),
          "taylor_order"_a = py::none(), "threads"_a = 0, "max_seconds"_a = 0.0, "max_memory"_a = 0,
          "progress"_a = py::none(),
          "Build the network for f and certify (T) at levels 0..levels, as `verify run`; returns the\n"
          "lpcert-certificate/1 dict. Ctrl-C stops the run and raises KeyboardInterrupt.");
    m.def("check", &lpcert::check, "cert"_a, "threads"_a = 0, "max_seconds"_a = 0.0, "max_memory"_a = 0,
          "progress"_a = py::none(),
          "Re-verify a certificate (a dict or a path), as `verify check`; returns\n"
          "{'passed': bool, 'first_failure': str, 'levels_checked': int}.");
    m.def("integrate", &lpcert::py_integrate, "f"_a = py::none(), "d"_a = py::none(), "p"_a = "2", "signed"_a = false,
          "prec"_a = 128, "tol"_a = "1e-3", "function"_a = py::none(), "taylor_order"_a = py::none(), "threads"_a = 0,
          "max_seconds"_a = 0.0, "max_memory"_a = 0, "progress"_a = py::none(),
          "Rigorous enclosure of ||f||_p over [0,1]^d (int f with p=1, signed=True), as `verify integrate`;\n"
          "f is an expression in x1..xd or a catalog name. Returns the lpcert-integral/1 dict.");
    m.def("modulus", &lpcert::py_modulus, "f"_a = py::none(), "d"_a = py::none(), "p"_a = "2", "delta"_a = py::none(),
          "prec"_a = 128, "function"_a = py::none(), "taylor_order"_a = py::none(), "threads"_a = 0,
          "max_seconds"_a = 0.0, "max_memory"_a = 0, "progress"_a = py::none(),
          "Certified bounds of omega_f(delta)_p, as `verify modulus`; returns the lpcert-modulus/1 dict.");
    m.def("certify_network", &lpcert::py_certify_network, "path"_a, "f"_a = py::none(), "function"_a = py::none(),
          "p"_a = "2", "domain"_a = py::none(), "tol"_a = "1e-3", "prec"_a = py::none(), "threads"_a = 0, "max_seconds"_a = 0.0,
          "max_memory"_a = 0, "progress"_a = py::none(),
          "Certify every readout of a network file (ONNX as torch.onnx.export writes it, or lpcert network\n"
          "JSON) against f, as `verify certify-network`: ||f - Phi_i|| and ||Phi_i|| for p in [1, inf) or\n"
          "p='inf', and the verdict between consecutive readouts. Returns the lpcert-network-certificate/1 dict.");
    m.def("functions", &lpcert::functions, "The catalog of test functions (the entries of `verify functions --json`).");
}
