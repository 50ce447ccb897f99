// An emulation of Python's eval() restricted to the characters TinyZero's countdown scorer lets through
// (digits, + - * / ( ) . and whitespace): Python's grammar for that subset (unary +/-, ** right-associative
// and binding tighter than a unary minus on its left, //, int and float literals with Python's rules — "03"
// is a syntax error, "00", "1.", ".5" and "01.5" are not) and its number semantics (exact ints, true
// division to float, floor division, int ** negative int -> float, ZeroDivisionError, OverflowError).
// It parses; it never executes text.
#pragma once
#include <optional>
#include <string>

namespace r1 {

// The value Python's eval would return, as a double; nullopt where Python raises (syntax error, division by
// zero, overflow, an empty tuple, a call like "3(4)"), where the result would be complex, or where an
// integer exceeds +-2^126 (Python would keep a big int; such equations are reported as failures).
std::optional<double> python_arith_eval(const std::string& text);

}  // namespace r1
