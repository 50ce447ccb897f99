// The countdown verifier (exact mode): parses the answer equation — never evaluates text as code — with a
// small recursive-descent parser over integers, + - * /, parentheses and spaces, checks that every number
// is one of the given numbers (each used at most once), and evaluates with exact rational arithmetic.
#pragma once
#include <string>
#include <vector>

namespace r1 {

struct CountdownCheck {
  bool valid = false;    // parsed, numbers allowed, no division by zero, no overflow
  bool correct = false;  // valid and the value equals the target exactly
  std::string error;     // why it is not valid or not correct ("" when correct)
  long long num = 0;     // value = num / den (den > 0) when valid
  long long den = 1;
};

// Checks `equation` ("(7 + 3) * 5", optionally followed by "= 50" — the stated result must be the target).
// No unary minus, no other characters, at most 1000 characters and 64 nested parentheses; a number that is
// not one of `numbers` (or used more often than given) makes it invalid.
CountdownCheck check_countdown(const std::string& equation, const std::vector<long long>& numbers, long long target);

}  // namespace r1
