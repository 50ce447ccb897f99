// Shared by the sampler tests: a micro model peaky enough to sample varied, non-uniform text, and prompts of
// different lengths (so batches need padding).
#pragma once
#include <cstdint>
#include <vector>

#include "../../support/test_support.h"
#include "r1/generate/sampler.h"

namespace r1::test {

inline model::Transformer peaky_micro_model(std::uint64_t seed) {
  auto c = micro_model_config();
  model::Transformer m(c, tiny_tokenizer().vocab_size());
  m->init_weights(seed);
  torch::NoGradGuard ng;
  for (auto& p : m->parameters()) p.mul_(3.0);  // larger weights: a peaky distribution
  return m;
}

inline std::vector<std::vector<int>> mixed_length_prompts(const Tokenizer& tok) {
  return {generate::encode_prompt(tok, "What is 12 + 7?"), generate::encode_prompt(tok, "primero"),
          generate::encode_prompt(tok, "the answer is 42 so then the answer is"), generate::encode_prompt(tok, "A")};
}

}  // namespace r1::test
