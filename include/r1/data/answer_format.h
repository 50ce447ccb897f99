// Gold-answer formats of prompt files and completions: "#### 42" (GSM8K), \boxed{42} (MATH), and the
// clean-up of number text ("1,234" -> "1234", "+5" -> "5", "4.0" -> "4").
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace r1 {

// Text after the last "####" up to the end of its line, trimmed; nullopt if there is no "####".
std::optional<std::string> extract_hashes_answer(std::string_view text);

// Content of the last \boxed{...} (or \fbox{...}), braces balanced; nullopt if none or unbalanced.
std::optional<std::string> extract_boxed(std::string_view text);

// A decimal number written plainly, cleaned: surrounding spaces trimmed, a leading '+' and '$' dropped,
// spaces after the sign allowed, thousands commas removed (only in groups of three: "1,234,567"), leading zeros
// and trailing fractional zeros dropped ("007.50" -> "7.5", "4.0" -> "4", "4." -> "4", ".5" -> "0.5",
// "-0" -> "0"). Any length (no overflow). nullopt if the text is anything else.
std::optional<std::string> clean_number(std::string_view text);

// The gold answer of a prompt-file field in `format`: plain (a number is cleaned, other text trimmed),
// gsm8k (after "####", cleaned), boxed (inside the last \boxed{}, cleaned if a number). nullopt when the
// format's marker is missing or the answer is empty.
std::optional<std::string> parse_gold_answer(const std::string& text, const std::string& format);

}  // namespace r1
