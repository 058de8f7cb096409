#pragma once
// Expression: a test function f(x1..xd), parsed from text (SPEC section 6) into a straight-line
// program (a tape), evaluated generically by evaluation.hpp: at an MPFR point, over an MPFI box
// (natural interval extension) and as truncated Taylor series (taylor_series.hpp).
//
// Grammar: + - * / ^, unary minus, decimal numbers, pi, e, variables x1..xd and the functions
// sin cos tan exp log sqrt abs tanh atan floor (one argument) and min max (two). `^` is right
// associative and binds tighter than unary minus (-x1^2 = -(x1^2)). An integer exponent gives an
// exact integer power; a constant real exponent a real power (base >= 0); any other exponent is
// exp(b * log(a)). Numbers are kept exactly (as rationals) and enclosed outward at evaluation.

#include <gmp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "quadrature/dyadic.hpp"

namespace lpcert {

enum class Op : std::uint8_t {
    Variable,    // x_{index+1}
    Parameter,   // a per-evaluation exact value (a cell constant, a shift), slot `index`
    Constant,    // constants[index], an exact rational
    Pi,
    Euler,
    Add, Sub, Mul, Div, Neg,
    PowInt,      // a ^ integer
    PowReal,     // a ^ constants[index] (a >= 0)
    Sin, Cos, Tan, Exp, Log, Sqrt, Abs, Tanh, Atan, Floor,
    Min, Max,
};

const char* op_name(Op op);

struct Instruction {
    Op op;
    int a = -1;         // operand slots (earlier instructions)
    int b = -1;
    long index = 0;     // variable / parameter / constant index, or the integer exponent
};

// An exact rational constant with its original text (for messages).
class RationalConstant {
public:
    explicit RationalConstant(const std::string& decimal_text);   // "0.1" -> 1/10 exactly
    explicit RationalConstant(const Dyadic& value);
    explicit RationalConstant(mpq_srcptr value);                     // any exact rational
    RationalConstant(const RationalConstant& o);
    RationalConstant& operator=(const RationalConstant& o);
    ~RationalConstant();
    mpq_srcptr value() const { return q_; }
    bool is_integer() const;
    const std::string& text() const { return text_; }

private:
    mpq_t q_;
    std::string text_;
};

class Expression {
public:
    // Parses `text`; throws InputError naming the position (1-based column) on malformed input.
    static Expression parse(const std::string& text);

    const std::string& text() const { return text_; }
    const std::vector<Instruction>& code() const { return code_; }
    const std::vector<RationalConstant>& constants() const { return constants_; }
    // 1 + the largest variable index used (x3 -> 3); 0 for a constant function.
    int variables_used() const { return variables_used_; }
    int parameters() const { return parameters_; }
    // Throws InputError when a variable beyond x_d is used.
    void require_dimension(int d) const;
    // Contains abs/min/max/floor, or a real power of a base that may reach 0: Taylor series may
    // fail on some boxes (evaluation then reports it and callers fall back to order 0).
    bool has_nonsmooth_operations() const;

    // Builders used to derive integrands (|f - c|^p, f(x+h) - f(x)) from a test function.
    // Each returns the slot of the new instruction.
    int append(Instruction ins);
    int append_constant(const RationalConstant& c);
    int append_parameter(int slot);
    // Copies g's code into this expression with variable i replaced by slot variable_slots[i];
    // returns the slot of g's result.
    int inline_expression(const Expression& g, const std::vector<int>& variable_slots);
    int result_slot() const { return static_cast<int>(code_.size()) - 1; }
    // The expression whose result is `slot` of this one: the code up to it (an operand of a
    // later instruction, e.g. h in |h|^p). Variables and parameters keep their indices.
    Expression prefix(int slot) const;
    void set_text(std::string t) { text_ = std::move(t); }

    // Where an integrand derived from a test function f (lp_norm.hpp: |f - c|^p, |f(x+h) - f(x)|^p)
    // holds a copy of f's code: slots first..last, evaluated at x, or at x + h (h = parameters
    // 0..d-1) when shifted. The interval evaluator uses it to report that f itself is undefined
    // or unbounded, and where, instead of naming the derived integrand.
    struct SubjectCopy {
        int first, last;
        bool shifted;
    };
    void mark_subject_copy(const std::string& subject_text, int first, int last, bool shifted);
    const std::vector<SubjectCopy>& subject_copies() const { return subject_copies_; }
    const std::string& subject_text() const { return subject_text_; }

private:
    friend class ExpressionBuilder;
    std::string text_;
    std::vector<Instruction> code_;
    std::vector<RationalConstant> constants_;
    int variables_used_ = 0;
    int parameters_ = 0;
    std::string subject_text_;
    std::vector<SubjectCopy> subject_copies_;
};

}  // namespace lpcert
