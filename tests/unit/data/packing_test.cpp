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

TEST_CASE("best-fit packing fills gaps left by long examples", "[data]") {
  // 4 opens row 1, 5 does not fit there and opens row 2, 3 fits only row 1 (filling it), 2 fills row 2.
  std::vector<TokenExample> exs = {ex({1, 1, 1, 1}, {0, 1, 1, 1}), ex({2, 2, 2, 2, 2}, {0, 1, 1, 1, 1}),
                                   ex({3, 3, 3}, {0, 1, 1}), ex({4, 4}, {0, 1})};
  PackStats st;
  auto rows = make_token_rows(exs, 7, true, 0, &st);
  REQUIRE(rows.size() == 2);
  REQUIRE(st.padding == 0);
  REQUIRE(rows[0].tokens == std::vector<int>{1, 1, 1, 1, 3, 3, 3});
  REQUIRE(rows[1].tokens == std::vector<int>{2, 2, 2, 2, 2, 4, 4});
  REQUIRE(rows[1].segments == std::vector<int>{0, 0, 0, 0, 0, 1, 1});
}
