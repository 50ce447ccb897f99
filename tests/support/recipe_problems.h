// Test helpers for config validation: the problems a recipe text produces, and a readable "has this line" check.
#pragma once
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "r1/config/recipe.h"
#include "r1/util/error.h"

namespace r1::test {

// The problems parsing `text` as recipe "x.yaml" reports (empty when it is valid).
inline std::vector<std::string> recipe_problems(const std::string& text,
                                                const std::vector<config::Override>& overrides = {}) {
  try {
    config::parse_recipe(config::load_yaml_string(text, "x.yaml"), "x.yaml", overrides);
    return {};
  } catch (const ConfigError& e) {
    return e.problems();
  }
}

// True when `want` is one of `lines`; otherwise logs them all for the failure message.
inline bool has(const std::vector<std::string>& lines, const std::string& want) {
  for (const auto& l : lines)
    if (l == want) return true;
  std::string all;
  for (const auto& l : lines) all += "  " + l + "\n";
  INFO("problems were:\n" << all << "wanted: " << want);
  return false;
}

}  // namespace r1::test
