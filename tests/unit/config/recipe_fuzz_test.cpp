// Fuzz of the recipe loader (issue 28, item 12): 1,200 seeded mutations of the default recipe's text (values
// replaced by wrong types, out-of-range and huge numbers, empty strings and collections; keys deleted, duplicated
// or misspelt; lines dropped, repeated or cut). Each must be refused with an InputError naming the file, or parse
// into a recipe that is consistent: emitting and re-reading it gives the same stages and the same hashes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../support/test_support.h"
#include "r1/config/recipe.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

using namespace r1;

namespace {
std::string recipe_text() {
  std::ifstream in(test::source_dir() + "/recipes/r1-tiny.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::vector<std::string> kValues = {
    "-1", "0", "1e12", "100000000", "2147483648", "-0.5", "1e400", "nan", ".inf", "abc", "\"\"", "[]", "{}",
    "true", "[1, 2]", "{a: 1}", "null", "\"" + std::string(300, 'x') + "\"", "0x10", "3.5", "\"../..\"", "~"};

// One mutation of one line (or of the line structure).
std::string mutate(const std::string& text, Rng& rng) {
  std::vector<std::string> lines = split(text, '\n');
  size_t i = static_cast<size_t>(rng.below(lines.size()));
  std::string& line = lines[i];
  switch (rng.below(6)) {
    case 0:
    case 1: {  // replace the value after a "key:" (block or flow style)
      size_t colon = line.find(": ", rng.below(std::max<size_t>(1, line.size())));
      if (colon == std::string::npos) colon = line.find(": ");
      if (colon == std::string::npos) break;
      size_t end = line.find_first_of(",}", colon + 2);
      line = line.substr(0, colon + 2) + kValues[rng.below(kValues.size())] +
             (end == std::string::npos ? "" : line.substr(end));
      break;
    }
    case 2: lines.erase(lines.begin() + static_cast<long>(i)); break;             // drop a line
    case 3: lines.insert(lines.begin() + static_cast<long>(i), line); break;      // repeat it (duplicate keys)
    case 4: {                                                                        // misspell a key
      size_t colon = line.find(':');
      if (colon != std::string::npos && colon > 1) line.insert(colon - 1, "x");
      break;
    }
    default: line = line.substr(0, rng.below(line.size() + 1)); break;           // cut it
  }
  return join(lines, "\n");
}
}  // namespace

TEST_CASE("recipe fuzz: 1,200 mutated recipes are refused naming the file, or parse consistently",
          "[config][reliability][fuzz]") {
  // The recipe's relative paths (configs/...) resolve from the checkout, as when r1 runs there.
  struct InSource {
    std::filesystem::path before = std::filesystem::current_path();
    InSource() { std::filesystem::current_path(test::source_dir()); }
    ~InSource() { std::filesystem::current_path(before); }
  } in_source;
  const std::string base = recipe_text();
  REQUIRE(base.size() > 1000);
  Rng rng(20261203);
  int refused = 0, accepted = 0;
  for (int n = 0; n < 1200; ++n) {
    std::string text = mutate(base, rng);
    if (rng.bernoulli(0.3)) text = mutate(text, rng);
    INFO("mutation " << n << ":\n" << text);
    config::Recipe recipe;
    try {
      recipe = config::parse_recipe(config::load_yaml_string(text, "fuzz.yaml"), "fuzz.yaml");
    } catch (const InputError& e) {
      ++refused;
      REQUIRE(std::string(e.what()).find("fuzz.yaml") != std::string::npos);
      continue;
    }
    ++accepted;
    // Accepted: every stage name is a safe directory name, and the recipe survives a round trip unchanged.
    for (const auto& s : recipe.stages) REQUIRE(config::stage_name_problem(s.name()).empty());
    std::string emitted = config::emit_yaml(config::to_yaml(recipe));
    config::Recipe again = config::parse_recipe(config::load_yaml_string(emitted, "round-trip.yaml"), "round-trip.yaml");
    REQUIRE(again.stages.size() == recipe.stages.size());
    for (size_t s = 0; s < recipe.stages.size(); ++s)
      REQUIRE(config::config_hash(again.stages[s], again.run) == config::config_hash(recipe.stages[s], recipe.run));
  }
  CHECK(refused > 300);   // the mutations do reach the validators
  CHECK(accepted > 100);  // and harmless ones (a value still in range) pass
}
