// PCRE2 compile (UTF | UCP, JIT if it works) and the Isolated split loop.
#include "r1/tokenizer/regex_split.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

struct RegexSplit::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;
  std::string pattern;
  ~Compiled() { pcre2_code_free(code); }
};

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  int n = pcre2_get_error_message(code, buf, sizeof buf);
  return n < 0 ? "PCRE2 error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buf));
}

// Match data sized for the whole match only (the splits never read groups), one per thread.
pcre2_match_data* thread_match_data() {
  struct Holder {
    pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
    ~Holder() { pcre2_match_data_free(data); }
  };
  thread_local Holder holder;
  if (!holder.data) throw RuntimeFailure("PCRE2: cannot allocate match data");
  return holder.data;
}

// Runs one match at `start`; returns false when there is none. The JIT's fixed stack can run out on huge
// inputs, so that case retries with the interpreter.
bool match_at(const pcre2_code* code, bool jit, std::string_view text, size_t start, size_t& begin, size_t& end,
              const std::string& pattern) {
  pcre2_match_data* md = thread_match_data();
  auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  int rc = PCRE2_ERROR_JIT_STACKLIMIT;
  if (jit) rc = pcre2_jit_match(code, subject, text.size(), start, 0, md, nullptr);
  if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
    rc = pcre2_match(code, subject, text.size(), start, PCRE2_NO_UTF_CHECK, md, nullptr);
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) throw RuntimeFailure("pre-tokenizer regex " + quote(pattern) + " failed: " + pcre2_message(rc));
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  begin = ov[0];
  end = ov[1];
  return true;
}

// Length of the UTF-8 character starting with byte `c`.
size_t char_len(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

}  // namespace

RegexSplit::RegexSplit(const std::string& pattern, bool literal, const std::string& where) {
  int err = 0;
  PCRE2_SIZE err_at = 0;
  uint32_t options = PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP);  // PCRE2 refuses UCP with LITERAL
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &err, &err_at, nullptr);
  if (!code)
    throw InputError(where + ": the regex " + quote(pattern, 200) + " does not compile: " + pcre2_message(err) +
                     " (at offset " + std::to_string(err_at) + ")");
  auto c = std::make_shared<Compiled>();
  c->code = code;
  c->pattern = pattern;
  c->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;  // silently interpreted when JIT is unavailable
  compiled_ = std::move(c);
}

void RegexSplit::split(std::string_view text, std::vector<std::string_view>& out) const {
  const Compiled& c = *compiled_;
  size_t pos = 0;      // where the next search starts
  size_t emitted = 0;  // end of what has been appended
  while (pos <= text.size()) {
    size_t begin = 0, end = 0;
    if (!match_at(c.code, c.jit, text, pos, begin, end, c.pattern)) break;
    if (begin > emitted) out.push_back(text.substr(emitted, begin - emitted));
    if (end > begin) {
      out.push_back(text.substr(begin, end - begin));
      emitted = end;
      pos = end;
    } else {  // an empty match: step over one character
      emitted = begin;
      if (begin >= text.size()) break;
      pos = begin + char_len(static_cast<unsigned char>(text[begin]));
    }
  }
  if (emitted < text.size()) out.push_back(text.substr(emitted));
}

}  // namespace r1
