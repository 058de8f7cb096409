#include "quadrature/expression.hpp"

#include <cctype>

#include "quadrature/errors.hpp"

namespace lpcert {

const char* op_name(Op op) {
    switch (op) {
        case Op::Variable: return "variable";
        case Op::Parameter: return "parameter";
        case Op::Constant: return "constant";
        case Op::Pi: return "pi";
        case Op::Euler: return "e";
        case Op::Add: return "+";
        case Op::Sub: return "-";
        case Op::Mul: return "*";
        case Op::Div: return "/";
        case Op::Neg: return "unary -";
        case Op::PowInt: return "^";
        case Op::PowReal: return "^";
        case Op::Sin: return "sin";
        case Op::Cos: return "cos";
        case Op::Tan: return "tan";
        case Op::Exp: return "exp";
        case Op::Log: return "log";
        case Op::Sqrt: return "sqrt";
        case Op::Abs: return "abs";
        case Op::Tanh: return "tanh";
        case Op::Atan: return "atan";
        case Op::Floor: return "floor";
        case Op::Min: return "min";
        case Op::Max: return "max";
    }
    return "?";
}

// ---- RationalConstant -----------------------------------------------------------------------

RationalConstant::RationalConstant(const std::string& t) : text_(t) {
    // t is a decimal literal already checked (the parser, or parse_decimal for certificate
    // fields): [+-] digits [. digits] [e [+-] digits]. Everything that can throw comes before
    // mpq_init: a constructor that throws runs no destructor.
    std::string digits;
    long exponent10 = 0;
    size_t i = 0;
    for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
        if (t[i] == '.') continue;
        if (std::isdigit(static_cast<unsigned char>(t[i]))) digits += t[i];
    }
    for (size_t k = t.find('.'); k != std::string::npos && k + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[k + 1])); ++k)
        --exponent10;
    if (i < t.size()) {
        const std::string e = t.substr(i + 1);
        if (e.size() > 8) throw InputError("number '" + t + "': exponent out of range (|exponent| <= 10000)");
        exponent10 += std::stol(e);
    }
    // 10^10000 has 33,220 bits: an expression of the longest length (100,000 characters) then
    // holds at most about 40 MB of exact constants, made in a fraction of a second.
    if (exponent10 > 10000 || exponent10 < -10000)
        throw InputError("number '" + t + "': exponent out of range (|exponent| <= 10000)");
    mpq_init(q_);
    mpz_set_str(mpq_numref(q_), digits.c_str(), 10);
    mpz_t p;
    mpz_init(p);
    mpz_ui_pow_ui(p, 10, static_cast<unsigned long>(exponent10 < 0 ? -exponent10 : exponent10));
    if (exponent10 >= 0) {
        mpz_mul(mpq_numref(q_), mpq_numref(q_), p);
    } else {
        mpz_set(mpq_denref(q_), p);
    }
    mpz_clear(p);
    mpq_canonicalize(q_);
    if (!t.empty() && t[0] == '-') mpq_neg(q_, q_);   // certificate decimals may be signed
}

RationalConstant::RationalConstant(const Dyadic& value) : text_(value.to_string()) {
    mpq_init(q_);
    value.to_mpq(q_);
}

RationalConstant::RationalConstant(mpq_srcptr value) {
    mpq_init(q_);
    mpq_set(q_, value);
    char* s = mpq_get_str(nullptr, 10, q_);
    text_ = s;
    void (*release)(void*, size_t);
    mp_get_memory_functions(nullptr, nullptr, &release);
    release(s, text_.size() + 1);
}

RationalConstant::RationalConstant(const RationalConstant& o) : text_(o.text_) {
    mpq_init(q_);
    mpq_set(q_, o.q_);
}

RationalConstant& RationalConstant::operator=(const RationalConstant& o) {
    if (this != &o) {
        mpq_set(q_, o.q_);
        text_ = o.text_;
    }
    return *this;
}

RationalConstant::~RationalConstant() { mpq_clear(q_); }

bool RationalConstant::is_integer() const { return mpz_cmp_ui(mpq_denref(q_), 1) == 0; }

// ---- Expression -----------------------------------------------------------------------------

void Expression::require_dimension(int d) const {
    if (variables_used_ > d) {
        throw InputError("function '" + text_ + "' uses x" + std::to_string(variables_used_) +
                         " but the dimension is d = " + std::to_string(d));
    }
}

bool Expression::has_nonsmooth_operations() const {
    for (const auto& ins : code_) {
        switch (ins.op) {
            case Op::Abs: case Op::Min: case Op::Max: case Op::Floor: case Op::PowReal: return true;
            default: break;
        }
    }
    return false;
}

int Expression::append(Instruction ins) {
    if (ins.op == Op::Variable) variables_used_ = std::max(variables_used_, static_cast<int>(ins.index) + 1);
    if (ins.op == Op::Parameter) parameters_ = std::max(parameters_, static_cast<int>(ins.index) + 1);
    code_.push_back(ins);
    return result_slot();
}

int Expression::append_constant(const RationalConstant& c) {
    constants_.push_back(c);
    return append({Op::Constant, -1, -1, static_cast<long>(constants_.size()) - 1});
}

int Expression::append_parameter(int slot) { return append({Op::Parameter, -1, -1, slot}); }

int Expression::inline_expression(const Expression& g, const std::vector<int>& variable_slots) {
    const long constant_offset = static_cast<long>(constants_.size());
    for (const auto& c : g.constants_) constants_.push_back(c);
    std::vector<int> slot_of(g.code_.size());
    for (size_t k = 0; k < g.code_.size(); ++k) {
        Instruction ins = g.code_[k];
        if (ins.op == Op::Variable) {
            // Refer to the replacement slot directly instead of emitting an instruction.
            slot_of[k] = variable_slots.at(static_cast<size_t>(ins.index));
            continue;
        }
        if (ins.a >= 0) ins.a = slot_of[static_cast<size_t>(ins.a)];
        if (ins.b >= 0) ins.b = slot_of[static_cast<size_t>(ins.b)];
        if (ins.op == Op::Constant || ins.op == Op::PowReal) ins.index += constant_offset;
        slot_of[k] = append(ins);
    }
    return g.code_.empty() ? -1 : slot_of.back();
}

Expression Expression::prefix(int slot) const {
    Expression out;
    out.text_ = text_ + " (up to slot " + std::to_string(slot) + ")";
    out.constants_ = constants_;
    out.subject_text_ = subject_text_;
    for (int k = 0; k <= slot; ++k) out.append(code_.at(static_cast<size_t>(k)));
    for (const auto& copy : subject_copies_)
        if (copy.last <= slot) out.subject_copies_.push_back(copy);
    return out;
}

void Expression::mark_subject_copy(const std::string& subject_text, int first, int last, bool shifted) {
    if (last < first) return;   // f = x1 inlines to no instruction: nothing of f can fail
    subject_text_ = subject_text;
    subject_copies_.push_back(SubjectCopy{first, last, shifted});
}

}  // namespace lpcert
