// Packing: targets, segments, truncation, streaming.
#include <catch2/catch.hpp>

#include "r1/data/packing.h"

using namespace r1;

namespace {
TokenExample ex(std::vector<int> toks, std::vector<std::uint8_t> loss) { return {std::move(toks), std::move(loss)}; }
}  // namespace

TEST_CASE("packed rows keep examples whole with next-token targets", "[data]") {
  std::vector<TokenExample> exs = {ex({1, 2, 3}, {0, 1, 1}), ex({4, 5}, {0, 1}), ex({6, 7, 8, 9}, {0, 0, 1, 1})};
  PackStats st;
  auto rows = make_token_rows(exs, 6, true, 0, &st);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].tokens == std::vector<int>{1, 2, 3, 4, 5, 0});
  REQUIRE(rows[0].targets == std::vector<int>{2, 3, -1, 5, -1, -1});
  REQUIRE(rows[0].segments == std::vector<int>{0, 0, 0, 1, 1, 2});
  REQUIRE(rows[1].targets == std::vector<int>{-1, 8, 9, -1, -1, -1});
  REQUIRE(st.padding == 3);
  auto single = make_token_rows(exs, 3, false, 0, &st);
  REQUIRE(single.size() == 3);
  REQUIRE(single[2].tokens == std::vector<int>{6, 7, 8});
  REQUIRE(st.truncated == 1);
}

TEST_CASE("stream rows have no padding but at the end and never attend across a cut", "[data]") {
  std::vector<TokenExample> exs = {ex({1, 2, 3, 4, 5}, {0, 1, 1, 1, 1}), ex({6, 7, 8}, {0, 1, 1})};
  PackStats st;
  auto rows = stream_token_rows(exs, 3, 0, &st);
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[0].tokens == std::vector<int>{1, 2, 3});
  REQUIRE(rows[0].targets == std::vector<int>{2, 3, -1});  // 4 is in the next row
  REQUIRE(rows[1].tokens == std::vector<int>{4, 5, 6});
  REQUIRE(rows[1].targets == std::vector<int>{5, -1, -1});  // 7 is in the next row
  REQUIRE(rows[1].segments == std::vector<int>{0, 0, 1});
  REQUIRE(rows[2].tokens == std::vector<int>{7, 8, 0});
  REQUIRE(st.padding == 1);
}
