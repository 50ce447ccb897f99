// Small string helpers: trim, split, join, edit distance ("did you mean"), quoting for messages.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace r1 {

std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

// Levenshtein distance between a and b.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// `"text"` with quotes, control characters escaped and long text cut, for error messages.
std::string quote(std::string_view text, size_t max_len = 60);

// `text` as one POSIX shell word: as is when it holds only safe characters, else in single quotes.
std::string shell_quote(std::string_view text);

// Shortest decimal text that reads back as the same double ("0.1", "3", "1e-05").
std::string format_number(double value);

}  // namespace r1
