// Prompt templates: the paper's R1-Zero text, plain and chat; every template ends where the completion
// (starting "<think>") follows after one space.
#include <catch2/catch.hpp>

#include "r1/config/prompt_source_config.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

using namespace r1;

TEST_CASE("r1-zero is the paper's template", "[data]") {
  std::string p = render_prompt("r1-zero", "What is 2 + 3?");
  REQUIRE(p ==
          "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The "
          "assistant first thinks about the reasoning process in the mind and then provides the user with the "
          "answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> "
          "tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. "
          "User: What is 2 + 3? Assistant:");
  REQUIRE(ends_with(render_prompt("r1-zero", "Compute 2 + 3"), "User: Compute 2 + 3. Assistant:"));
  REQUIRE(ends_with(render_prompt("r1-zero", "  Compute 2 + 3.  "), "User: Compute 2 + 3. Assistant:"));
}

TEST_CASE("every template ends so the completion follows after one space", "[data]") {
  for (const auto& name : config::kTemplateNames) {
    if (name == "hf") {  // the model's own chat template needs the model
      REQUIRE_THROWS_WITH(render_prompt(name, "Q?"), Catch::Contains("needs the model"));
      continue;
    }
    std::string p = render_prompt(name, "Q?");
    REQUIRE(p.back() == ':');
    REQUIRE(p.find("Q?") != std::string::npos);
  }
  REQUIRE(render_prompt("plain", "Q?") == "Question: Q?\nAnswer:");
  REQUIRE(render_prompt("chat", "Q?") == "User: Q?\nAssistant:");
  REQUIRE(std::string(kCompletionSeparator) == " ");
  REQUIRE_THROWS_WITH(render_prompt("r1zero", "Q"), Catch::Contains("did you mean \"r1-zero\""));
}
