// Python `str` semantics the Jinja interpreter needs: UTF-8 code points, Python's whitespace, strip/split,
// repr() of strings and floats, and json.dumps string escaping.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1::jinja::py {

// (UTF-8 decoding and encoding: r1/util/utf8.h.)
// Byte offset of each code point's start, plus s.size() at the end (an invalid byte counts as one code point).
std::vector<size_t> code_point_offsets(std::string_view s);
// Number of code points (Python's len()).
size_t code_point_count(std::string_view s);

// Python's str.isspace() for one code point.
bool is_space(char32_t c);

// str.strip/lstrip/rstrip: `chars` absent = whitespace, else the set of code points in `chars`.
std::string strip(std::string_view s, const std::optional<std::string>& chars, bool left, bool right);
// str.split / str.rsplit: `sep` absent = runs of whitespace (no empty parts); maxsplit < 0 = no limit.
// Throws EvalError for an empty separator.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, long maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::optional<std::string>& sep, long maxsplit);

// repr() of a str: quoted the way Python picks ('...' unless it holds ' and no "), escapes as Python does for
// control characters; non-printable non-ASCII code points are escaped for the common cases (C1 controls,
// Unicode spaces and format characters, private use).
std::string repr_string(std::string_view s);
// repr()/str() of a float: the shortest text that reads back, "1.0", "1e-05", "1e+16", "inf", "nan".
std::string repr_float(double v);
// json.dumps of a str: quoted, \" \\ \n \r \t \b \f and other controls as \u00XX; non-ASCII as \uXXXX
// (surrogate pairs above U+FFFF) and DEL as \u007f when ensure_ascii, else raw.
std::string json_string(std::string_view s, bool ensure_ascii);

}  // namespace r1::jinja::py
