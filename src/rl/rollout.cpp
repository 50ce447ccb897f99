// Rollout collection and policy-batch tensors.
#include "r1/rl/rollout.h"

#include <algorithm>
#include <stdexcept>

#include "r1/model/attention_mask.h"
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

namespace {

// One training sequence of a policy batch: its prompt and completion, where it lies, and what it carries.
struct SequenceRef {
  const std::vector<int>* prompt;
  const RolloutSample* sample;
  int64_t length() const { return static_cast<int64_t>(prompt->size() + sample->completion.tokens.size()); }
};

// Packs sequences of the given lengths into rows of `capacity` tokens, first fit in order of decreasing length
// (ties in batch order, so the layout is deterministic). Returns each sequence's (row, offset).
std::vector<std::pair<int64_t, int64_t>> first_fit_decreasing(const std::vector<int64_t>& lengths, int64_t capacity,
                                                              int64_t* rows) {
  std::vector<size_t> order(lengths.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] > lengths[b]; });
  std::vector<int64_t> used;
  std::vector<std::pair<int64_t, int64_t>> place(lengths.size());
  for (size_t i : order) {
    size_t r = 0;
    while (r < used.size() && used[r] + lengths[i] > capacity) ++r;
    if (r == used.size()) used.push_back(0);
    place[i] = {static_cast<int64_t>(r), used[r]};
    used[r] += lengths[i];
  }
  *rows = static_cast<int64_t>(used.size());
  return place;
}

}  // namespace

PolicyBatch make_policy_batch(const Rollout& rollout, const std::vector<size_t>& rows, bool mask_truncated,
                              int pad_id, const torch::Device& device, bool pack) {
  const int64_t n = static_cast<int64_t>(rows.size());
  std::vector<SequenceRef> seqs;
  std::vector<int64_t> lengths;
  int64_t max_len = 1, max_c = 1;
  for (size_t r : rows) {
    const auto& s = rollout.samples[r];
    seqs.push_back({&rollout.prompt_tokens[s.prompt_index], &s});
    lengths.push_back(seqs.back().length());
    max_len = std::max(max_len, lengths.back());
    max_c = std::max<int64_t>(max_c, static_cast<int64_t>(s.completion.tokens.size()));
  }
  // Layout: padded = sequence i alone in row i; packed = rows of max_len tokens holding several sequences.
  int64_t layout_rows = n;
  std::vector<std::pair<int64_t, int64_t>> place(n);
  if (pack) {
    place = first_fit_decreasing(lengths, max_len, &layout_rows);
  } else {
    for (int64_t i = 0; i < n; ++i) place[i] = {i, 0};
  }
  std::vector<int64_t> tokens(layout_rows * max_len, pad_id), idx(n * max_c, 0), targets(n * max_c, pad_id);
  // Packed: each sequence's tokens carry its index; padding at a row's end gets a segment of its own (n, past
  // every sequence's), as SFT's collation gives it.
  std::vector<int64_t> segments(pack ? layout_rows * max_len : 0, n);
  std::vector<float> mask(n * max_c, 0.0f), sampler_logp(n * max_c, 0.0f);
  PolicyBatch b;
  for (int64_t i = 0; i < n; ++i) {
    const auto& s = *seqs[i].sample;
    const auto& prompt = *seqs[i].prompt;
    const auto& comp = s.completion.tokens;
    const int64_t p = prompt.size(), c = comp.size();
    const int64_t start = place[i].first * max_len + place[i].second;  // flat index of the sequence's first token
    const int64_t origin = pack ? start : 0;  // gather_idx counts from here: the flat start, or the row's column 0
    std::copy(prompt.begin(), prompt.end(), tokens.begin() + start);
    std::copy(comp.begin(), comp.end(), tokens.begin() + start + p);
    if (pack) std::fill(segments.begin() + start, segments.begin() + start + p + c, i);
    bool carries_loss = !(mask_truncated && s.completion.truncated());
    if (s.completion.logprobs.size() != comp.size())
      throw std::logic_error("make_policy_batch: row " + std::to_string(rows[i]) + " has " +
                          std::to_string(comp.size()) + " tokens but " + std::to_string(s.completion.logprobs.size()) +
                          " sampler log-probs");
    std::copy(s.completion.logprobs.begin(), s.completion.logprobs.end(), sampler_logp.begin() + i * max_c);
    for (int64_t j = 0; j < max_c; ++j) {
      // Beyond the completion the index stays inside the sequence (its last token): no loss is taken there.
      idx[i * max_c + j] = origin + std::min(p - 1 + j, p + c - 1);
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
  b.tokens = torch::from_blob(tokens.data(), {layout_rows, max_len}, i64).clone().to(device);
  b.gather_idx = torch::from_blob(idx.data(), {n, max_c}, i64).clone().to(device);
  b.targets = torch::from_blob(targets.data(), {n, max_c}, i64).clone().to(device);
  b.mask = torch::from_blob(mask.data(), {n, max_c}, torch::kFloat32).clone().to(device);
  b.sampler_logp = torch::from_blob(sampler_logp.data(), {n, max_c}, torch::kFloat32).clone().to(device);
  if (pack) b.segments = torch::from_blob(segments.data(), {layout_rows, max_len}, i64).clone().to(device);
  return b;
}

torch::Tensor completion_logprobs(model::TransformerImpl& model, const PolicyBatch& batch, double temperature,
                                  torch::Tensor* entropy) {
  torch::Tensor sel;  // [n, C, H]: the hidden state that predicts each completion token
  const int64_t n = batch.gather_idx.size(0), c = batch.gather_idx.size(1);
  if (batch.packed()) {
    const auto& seg = batch.segments;
    // [R, L, H]: block-diagonal causal attention, positions restarting per sequence
    auto hidden = model.hidden(batch.tokens, model::packed_positions(seg), model::packed_causal_mask(seg));
    const int64_t h = hidden.size(-1);
    sel = hidden.reshape({-1, h}).index_select(0, batch.gather_idx.reshape({-1})).view({n, c, h});
  } else {
    auto hidden = model::causal_hidden(model, batch.tokens);  // [n, L, H]
    sel = hidden.gather(1, batch.gather_idx.unsqueeze(-1).expand({-1, -1, hidden.size(-1)}));
  }
  auto out = model::token_logprobs(model, sel, batch.targets, temperature, entropy != nullptr);
  if (entropy) *entropy = out.entropy.detach();
  return out.logprobs;
}

}  // namespace r1::rl
