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
  const size_t cap = static_cast<size_t>(seq_len);
  // Best fit over a bounded window of open rows: each example goes to the open row it fills most tightly; a row
  // leaves the window (padded) when the window is full. Examples stay whole and in a deterministic order.
  constexpr size_t kWindow = 64;
  std::vector<TokenRow> open;
  std::vector<int> next_segment;
  auto close = [&](size_t i) {
    st.padding += static_cast<std::int64_t>(cap - open[i].tokens.size());
    pad_to(open[i], cap, pad_id);
    rows.push_back(std::move(open[i]));
    open.erase(open.begin() + static_cast<long>(i));
    next_segment.erase(next_segment.begin() + static_cast<long>(i));
  };
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
    size_t best = open.size();
    for (size_t i = 0; i < open.size(); ++i) {
      size_t room = cap - open[i].tokens.size();
      if (room >= len && (best == open.size() || room < cap - open[best].tokens.size())) best = i;
    }
    if (best == open.size()) {
      if (open.size() == kWindow) close(0);
      open.emplace_back();
      next_segment.push_back(0);
      best = open.size() - 1;
    }
    append_example(open[best], ex, len, next_segment[best]++);
    if (open[best].tokens.size() == cap) close(best);
  }
  while (!open.empty()) close(0);
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
