// Numeric answer matching with normalisation: spaces, thousands commas, a leading '+' or '$', 4.0 vs 4,
// 0.75 vs 3/4 vs \frac{3}{4}, a leading "x =" (linear answers). Exact: no floating point, no overflow.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace r1 {

// Comparison key of a numeric answer, or nullopt if the text is not a number. Integers and decimals that
// fit in 18 digits become reduced fractions ("4.0" -> "4", "0.75" -> "3/4", "-6/8" -> "-3/4"); longer ones
// keep their cleaned decimal text (so huge numbers compare exactly, digit by digit). Accepts
// "p/q", "\frac{p}{q}", "\dfrac{p}{q}", "\tfrac{p}{q}", surrounding "$...$", a trailing '.', and a leading
// single-letter variable with '=' ("x = 5"). A zero denominator is not a number.
std::optional<std::string> number_key(std::string_view text);

// Normalised text of a non-numeric answer: whitespace removed, surrounding $ and a trailing '.' dropped,
// "\left" / "\right" / "\!" removed, "\dfrac" / "\tfrac" read as "\frac".
std::string normalize_answer_text(std::string_view text);

// The key used to compare and to vote: number_key if numeric, else normalize_answer_text.
std::string answer_key(std::string_view text);

// True when `predicted` and `gold` are the same number (by number_key), or, when gold is not a number,
// the same normalised text. An empty prediction never matches.
bool answers_match(std::string_view predicted, std::string_view gold);

}  // namespace r1
