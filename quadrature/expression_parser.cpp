// Expression::parse: Boost.Spirit X3 grammar -> syntax tree -> tape.
//
// The grammar's recursion depth follows the nesting of the input, so nesting is bounded
// before X3 sees the text (a hostile 100,000-deep expression must not overflow the stack).

#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <functional>
#include <memory>

#include "quadrature/errors.hpp"
#include "quadrature/expression.hpp"

namespace lpcert {

namespace {

constexpr size_t kMaxLength = 100000;
constexpr int kMaxNesting = 200;

// A left-associative chain a0 op1 a1 op2 a2 ... of one precedence (+ - or * /) is one Chain node
// with its operands as children and ops[i] between children[i] and children[i+1]; evaluated left
// to right, it is the same as the binary tree it stands for. The tree's depth is then bounded
// by the nesting of parentheses, powers and signs (check_nesting), not by the number of terms,
// so that no recursion below runs 50,000 deep on "x1+x1+...".
struct SyntaxNode {
    enum Kind { Number, Identifier, Call, Unary, Chain, Power } kind = Number;
    std::string text;   // number literal or identifier/function name
    char op = 0;        // '+' or '-' for Unary
    std::string ops;    // '+', '-', '*', '/' between the children of a Chain
    size_t offset = 0;  // 0-based position in the source, for messages
    std::vector<SyntaxNode> children;
};

bool additive(char op) { return op == '+' || op == '-'; }

namespace x3 = boost::spirit::x3;
using Iterator = std::string::const_iterator;
struct source_begin_tag;

template <class Context>
size_t offset_of(const Context& ctx, Iterator where) {
    return static_cast<size_t>(where - x3::get<source_begin_tag>(ctx).get());
}

const auto set_value = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

const auto make_binary = [](auto& ctx) {
    const char op = boost::fusion::at_c<0>(x3::_attr(ctx));
    SyntaxNode& chain = x3::_val(ctx);
    if (chain.kind == SyntaxNode::Chain && additive(chain.ops[0]) == additive(op)) {
        // (a op b) op' c with ops of one precedence: one more link of the same chain
        chain.ops += op;
        chain.children.push_back(std::move(boost::fusion::at_c<1>(x3::_attr(ctx))));
        return;
    }
    SyntaxNode n;
    n.kind = SyntaxNode::Chain;
    n.ops = std::string(1, op);
    n.offset = offset_of(ctx, x3::_where(ctx).begin());
    n.children.push_back(std::move(chain));
    n.children.push_back(std::move(boost::fusion::at_c<1>(x3::_attr(ctx))));
    x3::_val(ctx) = std::move(n);
};

const auto make_unary = [](auto& ctx) {
    SyntaxNode n;
    n.kind = SyntaxNode::Unary;
    n.op = boost::fusion::at_c<0>(x3::_attr(ctx));
    n.offset = offset_of(ctx, x3::_where(ctx).begin());
    n.children.push_back(std::move(boost::fusion::at_c<1>(x3::_attr(ctx))));
    x3::_val(ctx) = std::move(n);
};

const auto make_power = [](auto& ctx) {
    SyntaxNode n;
    n.kind = SyntaxNode::Power;
    n.offset = offset_of(ctx, x3::_where(ctx).begin());
    n.children.push_back(std::move(x3::_val(ctx)));
    n.children.push_back(std::move(x3::_attr(ctx)));
    x3::_val(ctx) = std::move(n);
};

const auto make_number = [](auto& ctx) {
    SyntaxNode n;
    n.kind = SyntaxNode::Number;
    n.text = std::string(x3::_attr(ctx).begin(), x3::_attr(ctx).end());
    n.offset = offset_of(ctx, x3::_attr(ctx).begin());
    x3::_val(ctx) = std::move(n);
};

const auto make_identifier = [](auto& ctx) {
    SyntaxNode n;
    n.kind = SyntaxNode::Identifier;
    n.text = std::string(x3::_attr(ctx).begin(), x3::_attr(ctx).end());
    n.offset = offset_of(ctx, x3::_attr(ctx).begin());
    x3::_val(ctx) = std::move(n);
};

const auto make_call = [](auto& ctx) {
    x3::_val(ctx).kind = SyntaxNode::Call;
    x3::_val(ctx).children = std::move(x3::_attr(ctx));
};

x3::rule<class expression_rule, SyntaxNode> const expression_r = "expression";
x3::rule<class term_rule, SyntaxNode> const term_r = "term";
x3::rule<class factor_rule, SyntaxNode> const factor_r = "operand";
x3::rule<class power_rule, SyntaxNode> const power_r = "operand";
x3::rule<class primary_rule, SyntaxNode> const primary_r = "operand";
x3::rule<class number_rule, SyntaxNode> const number_r = "number";
x3::rule<class identifier_rule, SyntaxNode> const identifier_r = "identifier";
x3::rule<class arguments_rule, std::vector<SyntaxNode>> const arguments_r = "arguments";

const auto number_r_def = x3::raw[x3::lexeme[((+x3::digit >> -('.' >> *x3::digit)) | ('.' >> +x3::digit)) >>
                                             -(x3::char_("eE") >> -x3::char_("+-") >> +x3::digit)]][make_number];
const auto identifier_r_def = x3::raw[x3::lexeme[x3::alpha >> *(x3::alnum | '_')]][make_identifier];
const auto arguments_r_def = '(' > (expression_r % ',') > ')';
const auto primary_r_def = number_r[set_value] | (identifier_r[set_value] >> -(arguments_r[make_call])) |
                           ('(' > expression_r > ')')[set_value];
const auto power_r_def = primary_r[set_value] >> -(('^' > factor_r)[make_power]);
const auto factor_r_def = (x3::char_("+-") > factor_r)[make_unary] | power_r[set_value];
const auto term_r_def = factor_r[set_value] >> *((x3::char_("*/") > factor_r)[make_binary]);
const auto expression_r_def = term_r[set_value] >> *((x3::char_("+-") > term_r)[make_binary]);

BOOST_SPIRIT_DEFINE(expression_r, term_r, factor_r, power_r, primary_r, number_r, identifier_r, arguments_r)

std::string at_column(size_t offset) { return "at column " + std::to_string(offset + 1); }

// Nesting bound checked on the raw text, before any recursion.
void check_nesting(const std::string& text) {
    if (text.size() > kMaxLength) {
        throw InputError("expression is too long (" + std::to_string(text.size()) + " characters; at most " +
                         std::to_string(kMaxLength) + ")");
    }
    int depth = 0, powers = 0, sign_run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '(') depth++;
        if (c == ')') depth--;
        if (c == '^') powers++;
        if (c == '+' || c == '-') {
            sign_run++;
        } else if (c != ' ' && c != '\t' && c != '(') {
            sign_run = 0;
        }
        if (depth > kMaxNesting || powers > kMaxNesting || sign_run > kMaxNesting) {
            throw InputError("expression nested too deeply " + at_column(i) + " (at most " +
                             std::to_string(kMaxNesting) + " levels)");
        }
    }
}

// ---- syntax tree -> tape ------------------------------------------------------------------------

class TapeWriter {
public:
    explicit TapeWriter(Expression& e) : e_(e) {}

    int emit(const SyntaxNode& n) {
        switch (n.kind) {
            case SyntaxNode::Number: return e_.append_constant(RationalConstant(n.text));
            case SyntaxNode::Identifier: return identifier(n);
            case SyntaxNode::Call: return call(n);
            case SyntaxNode::Unary: {
                const int a = emit(n.children[0]);
                return n.op == '-' ? e_.append({Op::Neg, a}) : a;
            }
            case SyntaxNode::Chain: {
                int a = emit(n.children[0]);
                for (size_t i = 1; i < n.children.size(); ++i) {
                    const int b = emit(n.children[i]);
                    const char c = n.ops[i - 1];
                    const Op op = c == '+' ? Op::Add : c == '-' ? Op::Sub : c == '*' ? Op::Mul : Op::Div;
                    a = e_.append({op, a, b});
                }
                return a;
            }
            case SyntaxNode::Power: return power(n);
        }
        throw std::logic_error("TapeWriter: unknown node");
    }

private:
    int identifier(const SyntaxNode& n) {
        const std::string& s = n.text;
        if (s == "pi") return e_.append({Op::Pi});
        if (s == "e") return e_.append({Op::Euler});
        if (s.size() >= 2 && s[0] == 'x' && s[1] != '0' &&
            std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; }) && s.size() <= 4) {
            return e_.append({Op::Variable, -1, -1, std::stol(s.substr(1)) - 1});
        }
        if (function_arity(s) > 0) {
            throw InputError("function '" + s + "' needs an argument list " + at_column(n.offset));
        }
        throw InputError("unknown identifier '" + s + "' " + at_column(n.offset) +
                         " (variables are x1..xd; constants pi, e)");
    }

    static int function_arity(const std::string& s) {
        static const char* unary[] = {"sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "atan", "floor"};
        for (const char* u : unary)
            if (s == u) return 1;
        if (s == "min" || s == "max") return 2;
        return 0;
    }

    int call(const SyntaxNode& n) {
        const int arity = function_arity(n.text);
        if (arity == 0) throw InputError("unknown function '" + n.text + "' " + at_column(n.offset));
        if (static_cast<int>(n.children.size()) != arity) {
            throw InputError("function '" + n.text + "' takes " + std::to_string(arity) + " argument" +
                             (arity > 1 ? "s" : "") + " " + at_column(n.offset));
        }
        const int a = emit(n.children[0]);
        if (arity == 2) return e_.append({n.text == "min" ? Op::Min : Op::Max, a, emit(n.children[1])});
        static const std::pair<const char*, Op> table[] = {
            {"sin", Op::Sin}, {"cos", Op::Cos}, {"tan", Op::Tan}, {"exp", Op::Exp}, {"log", Op::Log},
            {"sqrt", Op::Sqrt}, {"abs", Op::Abs}, {"tanh", Op::Tanh}, {"atan", Op::Atan}, {"floor", Op::Floor}};
        for (const auto& [name, op] : table)
            if (n.text == name) return e_.append({op, a});
        throw std::logic_error("TapeWriter: function table");
    }

    // An mpq_t released on every path: a literal out of range throws InputError mid-recursion.
    struct ScopedRational {
        mpq_t q;
        ScopedRational() { mpq_init(q); }
        ~ScopedRational() { mpq_clear(q); }
        ScopedRational(const ScopedRational&) = delete;
        ScopedRational& operator=(const ScopedRational&) = delete;
    };

    // Folded constants stay below this size (numerator and denominator each): a power or a
    // product beyond it is refused before GMP is asked to make it (((7^4096)^4096)^4096 would
    // need 2^36 words).
    static constexpr size_t kMaxConstantBits = size_t{1} << 18;

    // Whether a subtree is made of numbers, signs, + - * / and ^ only (a cheap walk, no arithmetic).
    static bool is_constant(const SyntaxNode& n) {
        switch (n.kind) {
            case SyntaxNode::Number: return true;
            case SyntaxNode::Unary: return is_constant(n.children[0]);
            case SyntaxNode::Chain:
            case SyntaxNode::Power:
                return std::all_of(n.children.begin(), n.children.end(), [](const SyntaxNode& c) { return is_constant(c); });
            default: return false;
        }
    }

    [[noreturn]] static void constant_too_large(const SyntaxNode& n) {
        throw InputError("constant too large " + at_column(n.offset) + " (at most " + std::to_string(kMaxConstantBits) +
                         " bits exactly)");
    }

    static void require_small(const mpq_t q, const SyntaxNode& n) {
        if (mpz_sizeinbase(mpq_numref(q), 2) > kMaxConstantBits || mpz_sizeinbase(mpq_denref(q), 2) > kMaxConstantBits)
            constant_too_large(n);
    }

    // Exact value of a constant subexpression built from numbers and + - * / and integer powers;
    // false when the subexpression is not such a constant (or divides by 0, or has a large or
    // non-integer power). Called only where is_constant holds, so that no arithmetic is spent
    // on a subtree that turns out to hold a variable.
    static bool rational_value(const SyntaxNode& n, mpq_t out) {
        switch (n.kind) {
            case SyntaxNode::Number: mpq_set(out, RationalConstant(n.text).value()); return true;
            case SyntaxNode::Unary:
                if (!rational_value(n.children[0], out)) return false;
                if (n.op == '-') mpq_neg(out, out);
                return true;
            case SyntaxNode::Chain: {
                if (!rational_value(n.children[0], out)) return false;
                ScopedRational b;
                for (size_t i = 1; i < n.children.size(); ++i) {
                    if (!rational_value(n.children[i], b.q)) return false;
                    switch (n.ops[i - 1]) {
                        case '+': mpq_add(out, out, b.q); break;
                        case '-': mpq_sub(out, out, b.q); break;
                        case '*': mpq_mul(out, out, b.q); break;
                        default:
                            if (mpq_sgn(b.q) == 0) return false;
                            mpq_div(out, out, b.q);
                    }
                    require_small(out, n);
                }
                return true;
            }
            case SyntaxNode::Power: {
                // integer powers of constants, exponents bounded so the rational stays small
                ScopedRational b;
                bool ok = rational_value(n.children[0], out) && rational_value(n.children[1], b.q) &&
                          mpz_cmp_ui(mpq_denref(b.q), 1) == 0 && mpz_cmpabs_ui(mpq_numref(b.q), 4096) <= 0 &&
                          !(mpq_sgn(out) == 0 && mpq_sgn(b.q) < 0);
                if (ok) {
                    const long k = mpz_get_si(mpq_numref(b.q));
                    const size_t k_abs = static_cast<size_t>(k < 0 ? -k : k);
                    const size_t widest = std::max(mpz_sizeinbase(mpq_numref(out), 2), mpz_sizeinbase(mpq_denref(out), 2));
                    if (k_abs > 1 && (widest - 1) * k_abs >= kMaxConstantBits)   // |a|^k >= 2^((bits-1) k)
                        constant_too_large(n);
                    mpz_pow_ui(mpq_numref(out), mpq_numref(out), static_cast<unsigned long>(k < 0 ? -k : k));
                    mpz_pow_ui(mpq_denref(out), mpq_denref(out), static_cast<unsigned long>(k < 0 ? -k : k));
                    if (k < 0) mpq_inv(out, out);
                    mpq_canonicalize(out);
                    require_small(out, n);
                }
                return ok;
            }
            default: return false;
        }
    }

    int power(const SyntaxNode& n) {
        const int base = emit(n.children[0]);
        ScopedRational exact;
        auto& q = exact.q;
        const bool constant = is_constant(n.children[1]) && rational_value(n.children[1], q);
        if (constant && mpz_cmp_ui(mpq_denref(q), 1) == 0) {
            if (mpz_cmpabs_ui(mpq_numref(q), 1000000) > 0) {
                throw InputError("integer exponent too large " + at_column(n.offset) + " (|n| <= 1000000)");
            }
            return e_.append({Op::PowInt, base, -1, mpz_get_si(mpq_numref(q))});
        }
        if (constant) {
            // A real power with an exact rational exponent: kept exactly, enclosed at evaluation.
            const int c = e_.append_constant(RationalConstant(q));
            return e_.append({Op::PowReal, base, -1, e_.code()[static_cast<size_t>(c)].index});
        }
        // a^b = exp(b log a) for a non-constant exponent (requires a > 0).
        const int exponent = emit(n.children[1]);
        const int l = e_.append({Op::Log, base});
        const int m = e_.append({Op::Mul, exponent, l});
        return e_.append({Op::Exp, m});
    }

    Expression& e_;
};

}  // namespace

Expression Expression::parse(const std::string& text) {
    check_nesting(text);
    SyntaxNode tree;
    Iterator first = text.begin();
    const Iterator last = text.end();
    try {
        const Iterator begin = text.begin();
        const auto parser = x3::with<source_begin_tag>(std::cref(begin))[expression_r];
        const bool ok = x3::phrase_parse(first, last, parser, x3::space, tree);
        if (!ok || first != last) {
            const size_t at = static_cast<size_t>(first - text.begin());
            if (at >= text.size()) throw InputError("expression '" + text + "' ends too early " + at_column(at));
            throw InputError("unexpected '" + std::string(1, text[at]) + "' " + at_column(at) + " in '" + text + "'");
        }
    } catch (const x3::expectation_failure<Iterator>& e) {
        const size_t at = static_cast<size_t>(e.where() - text.begin());
        throw InputError("expected " + e.which() + " " + at_column(at) + " in '" + text + "'");
    }
    Expression out;
    out.text_ = text;
    TapeWriter(out).emit(tree);
    return out;
}

}  // namespace lpcert
