#pragma once
// Internal: runs an Expression's tape over one number domain (point, interval, Taylor series).
// A Domain supplies the operations; a step returning false means "not defined as this domain
// requires" (for series: f is not smooth on the box), which stops the run.

#include <vector>

#include "quadrature/expression.hpp"

namespace lpcert::detail {

// Runs instructions first..end-1 (end = SIZE_MAX: to the last); slots before `first` must hold
// this domain's results of a previous run (the caller's contract).
template <class Domain>
bool run_tape(const Expression& e, Domain& dom, std::vector<typename Domain::Value>& slots, size_t first = 0,
              size_t end = static_cast<size_t>(-1)) {
    const auto& code = e.code();
    const size_t stop = end < code.size() ? end : code.size();
    for (size_t k = first; k < stop; ++k) {
        const Instruction& ins = code[k];
        auto& out = slots[k];
        const auto& a = slots[static_cast<size_t>(ins.a < 0 ? 0 : ins.a)];
        const auto& b = slots[static_cast<size_t>(ins.b < 0 ? 0 : ins.b)];
        bool ok = true;
        dom.current = ins.op;
        dom.current_slot = static_cast<int>(k);
        switch (ins.op) {
            case Op::Variable: dom.variable(out, ins.index); break;
            case Op::Parameter: dom.parameter(out, ins.index); break;
            case Op::Constant: dom.constant(out, ins.index); break;
            case Op::Pi: dom.pi(out); break;
            case Op::Euler: dom.euler(out); break;
            case Op::Add: dom.add(out, a, b); break;
            case Op::Sub: dom.sub(out, a, b); break;
            case Op::Mul: dom.mul(out, a, b); break;
            case Op::Div: ok = dom.div(out, a, b); break;
            case Op::Neg: dom.neg(out, a); break;
            case Op::PowInt: ok = dom.pow_int(out, a, ins.index); break;
            case Op::PowReal: ok = dom.pow_real(out, a, ins.index); break;
            case Op::Min: ok = dom.min_max(out, a, b, false); break;
            case Op::Max: ok = dom.min_max(out, a, b, true); break;
            default: ok = dom.unary(out, ins.op, a); break;
        }
        if (!ok) return false;
    }
    return true;
}

}  // namespace lpcert::detail
