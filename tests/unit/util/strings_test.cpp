#include <catch2/catch.hpp>

#include "r1/util/strings.h"

TEST_CASE("closest_match suggests near keys only", "[util]") {
  REQUIRE(r1::closest_match("grop_size", {"group_size", "beta"}) == "group_size");
  REQUIRE(r1::closest_match("zzz", {"group_size", "beta"}).empty());
}

TEST_CASE("format_number is shortest round-trip", "[util]") {
  REQUIRE(r1::format_number(0.1) == "0.1");
  REQUIRE(r1::format_number(3.0) == "3");
  REQUIRE(r1::format_number(1e-5) == "1e-05");
}
