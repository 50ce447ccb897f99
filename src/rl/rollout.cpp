// Rollout collection and policy-batch tensors.
#include "r1/rl/rollout.h"

#include <algorithm>
#include <stdexcept>

#include "r1/model/logprobs.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/util/rng.h"
#include "r1/util/timer.h"

namespace r1::rl {

std::vector<double> Rollout::rewards() const {
  std::vector<double> r;
  r.reserve(samples.size());
  for (const auto& s : samples) r.push_back(s.outcome.total);
  return r;
}

void Rollout::keep_groups(const std::vector<size_t>& groups) {
  Rollout kept;
  kept.group_size = group_size;
  kept.seconds = seconds;
  kept.generated_tokens = generated_tokens;
  for (size_t g : groups) {
    size_t new_index = kept.prompts.size();
    kept.prompts.push_back(prompts[g]);
    kept.prompt_texts.push_back(prompt_texts[g]);
    kept.prompt_tokens.push_back(prompt_tokens[g]);
    for (int i = 0; i < group_size; ++i) {
      RolloutSample s = samples[g * group_size + i];
      s.prompt_index = new_index;
      kept.samples.push_back(std::move(s));
    }
  }
  *this = std::move(kept);
}

void Rollout::append(Rollout&& other) {
  size_t base = prompts.size();
  for (size_t i = 0; i < other.prompts.size(); ++i) {
    prompts.push_back(std::move(other.prompts[i]));
    prompt_texts.push_back(std::move(other.prompt_texts[i]));
    prompt_tokens.push_back(std::move(other.prompt_tokens[i]));
  }
  for (auto& s : other.samples) {
    s.prompt_index += base;
    samples.push_back(std::move(s));
  }
  seconds += other.seconds;
  generated_tokens += other.generated_tokens;
}

Rollout collect_rollout(generate::Sampler& sampler, const Tokenizer& tokenizer, std::vector<PromptExample> prompts,
                        const PromptRenderer& renderer, const config::SamplingConfig& sampling, int group_size,
                        std::uint64_t seed, std::size_t first_row) {
  Stopwatch clock;
  Rollout r;
  r.group_size = group_size;
  r.prompts = std::move(prompts);
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  for (size_t k = 0; k < r.prompts.size(); ++k) {
    r.prompt_texts.push_back(renderer.render(r.prompts[k].question));
    r.prompt_tokens.push_back(generate::encode_prompt(tokenizer, r.prompt_texts.back()));
    for (int g = 0; g < group_size; ++g) {
      rows.push_back(r.prompt_tokens.back());
      seeds.push_back(mix64(seed + first_row + rows.size()));
    }
  }
  auto completions = sampler.generate(rows, sampling, seeds);
  for (size_t i = 0; i < completions.size(); ++i) {
    RolloutSample s;
    s.prompt_index = i / group_size;
    s.completion = std::move(completions[i]);
    r.generated_tokens += static_cast<std::int64_t>(s.completion.tokens.size());
    r.samples.push_back(std::move(s));
  }
  r.seconds = clock.seconds();
  return r;
}

void score_rollout(Rollout& rollout, const RewardSet& rewards) {
  Stopwatch clock;
  for (auto& s : rollout.samples) {
    const auto& c = s.completion;
    s.outcome = rewards.score(rollout.prompts[s.prompt_index], rollout.prompt_texts[s.prompt_index], c.text,
                              static_cast<int>(c.tokens.size()), c.truncated());
  }
  rollout.seconds += clock.seconds();
}

PolicyBatch make_policy_batch(const Rollout& rollout, const std::vector<size_t>& rows, bool mask_truncated,
                              int pad_id, const torch::Device& device) {
  const int64_t n = static_cast<int64_t>(rows.size());
  int64_t max_len = 1, max_c = 1;
  for (size_t r : rows) {
    const auto& s = rollout.samples[r];
    int64_t p = rollout.prompt_tokens[s.prompt_index].size(), c = s.completion.tokens.size();
    max_len = std::max(max_len, p + c);
    max_c = std::max(max_c, c);
  }
  std::vector<int64_t> tokens(n * max_len, pad_id), idx(n * max_c, 0), targets(n * max_c, pad_id);
  std::vector<float> mask(n * max_c, 0.0f), sampler_logp(n * max_c, 0.0f);
  PolicyBatch b;
  for (int64_t i = 0; i < n; ++i) {
    const auto& s = rollout.samples[rows[i]];
    const auto& prompt = rollout.prompt_tokens[s.prompt_index];
    const auto& comp = s.completion.tokens;
    int64_t p = prompt.size(), c = comp.size();
    std::copy(prompt.begin(), prompt.end(), tokens.begin() + i * max_len);
    std::copy(comp.begin(), comp.end(), tokens.begin() + i * max_len + p);
    bool carries_loss = !(mask_truncated && s.completion.truncated());
    if (s.completion.logprobs.size() != comp.size())
      throw std::logic_error("make_policy_batch: row " + std::to_string(rows[i]) + " has " +
                          std::to_string(comp.size()) + " tokens but " + std::to_string(s.completion.logprobs.size()) +
                          " sampler log-probs");
    std::copy(s.completion.logprobs.begin(), s.completion.logprobs.end(), sampler_logp.begin() + i * max_c);
    for (int64_t j = 0; j < max_c; ++j) {
      idx[i * max_c + j] = std::min(p - 1 + j, max_len - 1);
      if (j < c) {
        targets[i * max_c + j] = comp[j];
        if (carries_loss) {
          mask[i * max_c + j] = 1.0f;
          ++b.active_tokens;
        }
      }
    }
  }
  auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  b.tokens = torch::from_blob(tokens.data(), {n, max_len}, i64).clone().to(device);
  b.gather_idx = torch::from_blob(idx.data(), {n, max_c}, i64).clone().to(device);
  b.targets = torch::from_blob(targets.data(), {n, max_c}, i64).clone().to(device);
  b.mask = torch::from_blob(mask.data(), {n, max_c}, torch::kFloat32).clone().to(device);
  b.sampler_logp = torch::from_blob(sampler_logp.data(), {n, max_c}, torch::kFloat32).clone().to(device);
  return b;
}

torch::Tensor completion_logprobs(model::TransformerImpl& model, const PolicyBatch& batch, double temperature,
                                  torch::Tensor* entropy) {
  auto hidden = model::causal_hidden(model, batch.tokens);  // [n, L, H]
  auto idx = batch.gather_idx.unsqueeze(-1).expand({-1, -1, hidden.size(-1)});
  auto sel = hidden.gather(1, idx);                          // [n, C, H]
  auto out = model::token_logprobs(model, sel, batch.targets, temperature, entropy != nullptr);
  if (entropy) *entropy = out.entropy.detach();
  return out.logprobs;
}

}  // namespace r1::rl
