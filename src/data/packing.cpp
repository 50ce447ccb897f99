// Packing examples into token rows.
#include "r1/data/packing.h"

#include <algorithm>

namespace r1 {

std::int64_t TokenRow::loss_tokens() const {
  std::int64_t n = 0;
  for (int t : targets) n += t >= 0;
  return n;
}

namespace {
void append_example(TokenRow& row, const TokenExample& ex, size_t len, int segment) {
  for (size_t t = 0; t < len; ++t) {
    row.tokens.push_back(ex.tokens[t]);
    row.segments.push_back(segment);
    // Target of position t is token t+1 of the same example, when that token carries loss.
    bool has_next = t + 1 < len;
    row.targets.push_back(has_next && ex.loss[t + 1] ? ex.tokens[t + 1] : -1);
  }
}

void pad_to(TokenRow& row, size_t len, int pad_id) {
  int seg = row.segments.empty() ? 0 : row.segments.back() + 1;
  while (row.tokens.size() < len) {
    row.tokens.push_back(pad_id);
    row.targets.push_back(-1);
    row.segments.push_back(seg);
  }
}
}  // namespace

std::vector<TokenRow> make_token_rows(const std::vector<TokenExample>& examples, int seq_len, bool packing, int pad_id,
                                      PackStats* stats) {
  PackStats st;
  std::vector<TokenRow> rows;
  TokenRow current;
  int segment = 0;
  const size_t cap = static_cast<size_t>(seq_len);
  for (const auto& ex : examples) {
    if (ex.tokens.empty()) continue;
    ++st.examples;
    size_t len = std::min(ex.tokens.size(), cap);
    if (len < ex.tokens.size()) ++st.truncated;
    st.tokens += static_cast<std::int64_t>(len);
    if (!packing) {
      TokenRow row;
      append_example(row, ex, len, 0);
      rows.push_back(std::move(row));
      continue;
    }
    if (current.tokens.size() + len > cap) {
      st.padding += static_cast<std::int64_t>(cap - current.tokens.size());
      pad_to(current, cap, pad_id);
      rows.push_back(std::move(current));
      current = TokenRow{};
      segment = 0;
    }
    append_example(current, ex, len, segment++);
  }
  if (packing && !current.tokens.empty()) {
    st.padding += static_cast<std::int64_t>(cap - current.tokens.size());
    pad_to(current, cap, pad_id);
    rows.push_back(std::move(current));
  }
  st.rows = static_cast<std::int64_t>(rows.size());
  if (stats) *stats = st;
  return rows;
}

std::vector<TokenRow> stream_token_rows(const std::vector<TokenExample>& examples, int seq_len, int pad_id,
                                        PackStats* stats) {
  PackStats st;
  std::vector<TokenRow> rows;
  TokenRow current;
  int segment = 0;
  const size_t cap = static_cast<size_t>(seq_len);
  for (const auto& ex : examples) {
    if (ex.tokens.empty()) continue;
    ++st.examples;
    st.tokens += static_cast<std::int64_t>(ex.tokens.size());
    size_t start = 0;
    while (start < ex.tokens.size()) {
      size_t len = std::min(cap - current.tokens.size(), ex.tokens.size() - start);
      for (size_t t = start; t < start + len; ++t) {
        current.tokens.push_back(ex.tokens[t]);
        current.segments.push_back(segment);
        bool next_here = t + 1 < start + len;  // the next token sits in this row
        current.targets.push_back(next_here && ex.loss[t + 1] ? ex.tokens[t + 1] : -1);
      }
      start += len;
      ++segment;
      if (current.tokens.size() == cap) {
        rows.push_back(std::move(current));
        current = TokenRow{};
        segment = 0;
      }
    }
  }
  if (!current.tokens.empty()) {
    st.padding += static_cast<std::int64_t>(cap - current.tokens.size());
    pad_to(current, cap, pad_id);
    rows.push_back(std::move(current));
  }
  st.rows = static_cast<std::int64_t>(rows.size());
  if (stats) *stats = st;
  return rows;
}

std::vector<TokenRow> pad_rows(const std::vector<const TokenRow*>& rows, int pad_id) {
  size_t len = 0;
  for (const auto* r : rows) len = std::max(len, r->tokens.size());
  std::vector<TokenRow> out;
  out.reserve(rows.size());
  for (const auto* r : rows) {
    TokenRow row = *r;
    pad_to(row, len, pad_id);
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace r1
