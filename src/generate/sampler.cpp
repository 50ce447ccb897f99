// Batched KV-cache sampler.
#include "r1/generate/sampler.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "r1/model/attention_mask.h"
#include "r1/model/decode_model.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"
#include "r1/util/timer.h"

namespace r1::generate {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::kEos: return "eos";
    case FinishReason::kStop: return "stop";
    default: return "length";
  }
}

std::vector<int> encode_prompt(const Tokenizer& tokenizer, const std::string& text) {
  std::vector<int> ids;
  // A chat template writes the BOS token into the text itself (Llama 3's "{{ bos_token }}"); the HF tokenizer
  // then reads it as the special token, and a second one must not be added.
  const bool written = tokenizer.kind() == Tokenizer::Kind::kHfBpe && tokenizer.bos_id() >= 0 &&
                       starts_with(text, tokenizer.bos_token());
  if (tokenizer.bos_id() >= 0 && !written) ids.push_back(tokenizer.bos_id());
  auto body = tokenizer.encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

namespace {
// sample_next for one group of rows, all at once.
std::pair<torch::Tensor, torch::Tensor> sample_rows(const torch::Tensor& logits, const config::SamplingConfig& cfg,
                                                    const torch::Tensor& uniforms) {
  if (cfg.temperature <= 0.0) {
    auto logp = torch::log_softmax(logits, -1);
    auto ids = logits.argmax(-1);
    return {ids, logp.gather(-1, ids.unsqueeze(-1)).squeeze(-1)};
  }
  auto logp = torch::log_softmax(logits / cfg.temperature, -1);  // [B, V]
  auto probs = logp.exp();
  int64_t v = probs.size(-1);
  if (cfg.top_k > 0 && cfg.top_k < v) {
    auto kth = std::get<0>(probs.topk(cfg.top_k, -1)).narrow(-1, cfg.top_k - 1, 1);  // [B, 1]
    probs = probs.masked_fill(probs.lt(kth), 0.0);
  }
  if (cfg.top_p < 1.0) {
    auto [sorted, order] = probs.sort(-1, /*descending=*/true);
    auto before = sorted.cumsum(-1) - sorted;               // mass strictly before each token
    sorted = sorted.masked_fill(before.gt(cfg.top_p), 0.0);  // keeps at least the top token
    probs = torch::zeros_like(probs).scatter(-1, order, sorted);
  }
  auto cdf = probs.cumsum(-1);                                                     // [B, V]
  auto target = uniforms.to(cdf.scalar_type()).unsqueeze(-1) * cdf.narrow(-1, v - 1, 1);
  auto ids = cdf.le(target).sum(-1).clamp_max(v - 1);                              // first index with cdf > target
  return {ids, logp.gather(-1, ids.unsqueeze(-1)).squeeze(-1)};
}
}  // namespace

namespace {
// sample_next over groups of at most budget / V rows; logits_of(first, n) gives rows first..first+n-1's logits.
template <class LogitsOf>
std::pair<torch::Tensor, torch::Tensor> sample_in_groups(int64_t rows, int64_t v, const LogitsOf& logits_of,
                                                         const config::SamplingConfig& cfg,
                                                         const torch::Tensor& uniforms, int64_t budget_elements) {
  const int64_t group = std::max<int64_t>(1, budget_elements / std::max<int64_t>(1, v));
  if (rows <= group) return sample_rows(logits_of(0, rows), cfg, uniforms);
  std::vector<torch::Tensor> ids, lps;
  for (int64_t r = 0; r < rows; r += group) {
    const int64_t len = std::min(group, rows - r);
    auto [i, lp] = sample_rows(logits_of(r, len), cfg, uniforms.narrow(0, r, len));
    ids.push_back(i);
    lps.push_back(lp);
  }
  return {torch::cat(ids), torch::cat(lps)};
}
}  // namespace

std::pair<torch::Tensor, torch::Tensor> sample_next(const torch::Tensor& logits, const config::SamplingConfig& cfg,
                                                    const torch::Tensor& uniforms, int64_t budget_elements) {
  return sample_in_groups(
      logits.size(0), logits.size(-1), [&](int64_t r, int64_t n) { return logits.narrow(0, r, n); }, cfg, uniforms,
      budget_elements);
}

Sampler::Sampler(model::TransformerImpl& model, const Tokenizer& tokenizer) : model_(model), tokenizer_(tokenizer) {}

namespace {
// True when `tail` ends with one of `stops`.
bool ends_with_stop(const std::string& tail, const std::vector<std::string>& stops) {
  for (const auto& s : stops)
    if (!s.empty() && ends_with(tail, s)) return true;
  return false;
}
// Rows grouped by identical prompt: `distinct` lists the first row of each distinct prompt, `owner[r]` the index
// in `distinct` of row r's prompt.
struct DistinctPrompts {
  std::vector<int64_t> distinct;
  std::vector<int64_t> owner;
};
DistinctPrompts distinct_prompts(const std::vector<std::vector<int>>& prompts) {
  DistinctPrompts d;
  std::map<std::vector<int>, int64_t> seen;
  for (size_t r = 0; r < prompts.size(); ++r) {
    auto [it, fresh] = seen.emplace(prompts[r], static_cast<int64_t>(d.distinct.size()));
    if (fresh) d.distinct.push_back(static_cast<int64_t>(r));
    d.owner.push_back(it->second);
  }
  return d;
}
// Logits [B, V] restricted to the tokenizer's `real` ids: a checkpoint's vocab_size may pad the embedding beyond
// the tokenizer (Qwen2.5: 151,936 rows for 151,665 tokens), and those rows must never be sampled. Dropping them is
// -inf masking without the masked columns: softmax, top-k/top-p and the log-probs cover the real ids only, and no
// rounding of the inverse CDF can land on a padded id.
torch::Tensor real_vocab_logits(const torch::Tensor& logits, int64_t real) {
  const int64_t v = logits.size(-1);
  return real > 0 && real < v ? logits.narrow(-1, 0, real) : logits;
}
// The KV cache's element type for sampling.kv_cache_dtype: nullopt = the model's dtype.
std::optional<torch::ScalarType> kv_cache_scalar_type(config::KvCacheDtype dtype) {
  switch (dtype) {
    case config::KvCacheDtype::kFloat32: return torch::kFloat32;
    case config::KvCacheDtype::kBfloat16: return torch::kBFloat16;
    case config::KvCacheDtype::kAuto: break;
  }
  return std::nullopt;
}
}  // namespace

std::vector<Completion> Sampler::generate(const std::vector<std::vector<int>>& prompts,
                                          const config::SamplingConfig& cfg, const std::vector<std::uint64_t>& seeds,
                                          const GenerateOptions& options) {
  const bool use_cache = options.use_cache;
  c10::InferenceMode guard;
  Stopwatch clock;
  const int64_t b = static_cast<int64_t>(prompts.size());
  if (seeds.size() != prompts.size()) throw RuntimeFailure("Sampler: one seed per prompt is required");
  std::vector<Completion> out(b);
  if (b == 0) return out;
  int64_t p = 0;
  for (const auto& pr : prompts) {
    if (pr.empty()) throw InputError("generate: an empty prompt (no tokens)");
    p = std::max<int64_t>(p, pr.size());
  }
  int64_t max_new = cfg.max_new_tokens;
  if (p + max_new > model_.max_positions()) {
    max_new = model_.max_positions() - p;
    if (max_new <= 0)
      throw InputError("generate: a prompt of " + std::to_string(p) + " tokens leaves no room in the model's " +
                       std::to_string(model_.max_positions()) + " positions");
  }
  const auto device = model_.device();
  const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
  const int64_t capacity = p + max_new;
  const int pad = tokenizer_.pad_id();
  const int64_t real_vocab = tokenizer_.vocab_size();

  // Left-padded prompt block and per-row pad counts.
  std::vector<int64_t> tok_host(b * p, pad), pads(b);
  for (int64_t r = 0; r < b; ++r) {
    pads[r] = p - static_cast<int64_t>(prompts[r].size());
    std::copy(prompts[r].begin(), prompts[r].end(), tok_host.begin() + r * p + pads[r]);
  }
  auto tokens = torch::from_blob(tok_host.data(), {b, p}, i64).clone().to(device);             // [B, P]
  auto pad_t = torch::from_blob(pads.data(), {b, 1}, i64).clone().to(device);                   // [B, 1]
  auto cols = torch::arange(capacity, i64.device(device)).unsqueeze(0);                          // [1, C]
  auto valid = cols.ge(pad_t);                                                                   // [B, C]
  auto positions_all = (cols - pad_t).clamp_min(0);                                              // [B, C]

  std::vector<Rng> rngs;
  rngs.reserve(b);
  for (auto s : seeds) rngs.emplace_back(s);
  std::vector<bool> done(b, false);
  std::vector<std::string> tails(b);
  size_t max_stop = 0;
  for (const auto& s : cfg.stop) max_stop = std::max(max_stop, s.size());
  std::vector<double> u_host(b);

  // The last position's residual stream [B, hidden] of `in` [B, T], and the next-token logits [n, V] (float32) of
  // n of its rows: the fused decode model, or the module forward.
  std::optional<model::DecodeModel> fused;
  if (options.fused) fused.emplace(model_);
  auto last_hidden = [&](const torch::Tensor& in, const torch::Tensor& pos, const torch::Tensor& mask,
                         model::KvCache* kv) {
    if (fused) return fused->last_hidden(in, pos, mask, kv);
    return model_.hidden(in, pos, mask, kv).select(1, in.size(1) - 1);
  };
  auto head = [&](const torch::Tensor& h) {
    if (fused) return fused->logits(h);
    return model_.logits(h).to(torch::kFloat32);
  };

  std::optional<model::KvCache> cache;
  torch::Tensor key_mask;  // [B, 1, 1, C] additive, for decode steps
  torch::Tensor seq = tokens;  // no-cache path: the whole sequence so far
  torch::Tensor state;         // [B, hidden]: the last position's, whose logits give the next tokens
  int64_t prefill_rows = b;
  if (use_cache) {
    const auto kv_dtype = kv_cache_scalar_type(cfg.kv_cache_dtype);
    const auto [distinct, owner] = options.share_prefix ? distinct_prompts(prompts) : DistinctPrompts{};
    if (!distinct.empty() && static_cast<int64_t>(distinct.size()) < b) {
      // Prefill the distinct prompts [U, P], then give every row a copy of its prompt's cache rows and state.
      prefill_rows = static_cast<int64_t>(distinct.size());
      auto first = torch::tensor(distinct, i64).to(device);  // [U]
      auto of_row = torch::tensor(owner, i64).to(device);    // [B] -> index into the U rows
      cache.emplace(model_.make_cache(prefill_rows, capacity, kv_dtype));
      auto mask = model::padded_causal_mask(valid.index_select(0, first).narrow(1, 0, p), 0);
      state = last_hidden(tokens.index_select(0, first), positions_all.index_select(0, first).narrow(1, 0, p),
                          mask, &*cache)
                  .index_select(0, of_row);  // [B, hidden]
      cache->select_rows(of_row);
    } else {
      cache.emplace(model_.make_cache(b, capacity, kv_dtype));
      auto mask = model::padded_causal_mask(valid.narrow(1, 0, p), 0);
      state = last_hidden(tokens, positions_all.narrow(1, 0, p), mask, &*cache);
    }
    key_mask = torch::zeros({b, 1, 1, capacity}, torch::TensorOptions().device(device))
                   .masked_fill(valid.logical_not().view({b, 1, 1, capacity}), -std::numeric_limits<float>::infinity());
  } else {
    auto mask = model::padded_causal_mask(valid.narrow(1, 0, p), 0);
    state = last_hidden(tokens, positions_all.narrow(1, 0, p), mask, nullptr);
  }

  // Rows still decoding, as indices into `out`; the decode batch (state, cache, masks, positions) holds exactly
  // these rows, in this order. Each row draws from its own Rng, so dropping finished rows changes no sample.
  std::vector<int64_t> active(b);
  for (int64_t r = 0; r < b; ++r) active[r] = r;
  int64_t steps = 0, generated = 0, decode_rows = 0;
  for (int64_t step = 0; step < max_new; ++step) {
    const int64_t ab = static_cast<int64_t>(active.size());
    for (int64_t i = 0; i < ab; ++i) u_host[i] = rngs[active[i]].uniform();
    auto uniforms = torch::from_blob(u_host.data(), {ab}, torch::kFloat64).to(device);
    auto [ids, lps] = sample_in_groups(
        ab, model_.vocab_size(),
        [&](int64_t r, int64_t n) { return real_vocab_logits(head(state.narrow(0, r, n)), real_vocab); }, cfg,
        uniforms, options.logits_budget);
    // The one host sync per token: the stop check needs the ids.
    auto ids_cpu = ids.to(torch::kCPU);
    auto lps_cpu = lps.to(torch::kCPU, torch::kFloat32);
    const int64_t* idp = ids_cpu.data_ptr<int64_t>();
    const float* lpp = lps_cpu.data_ptr<float>();
    ++steps;
    int64_t finished = 0;
    for (int64_t i = 0; i < ab; ++i) {
      const int64_t r = active[i];
      if (done[r]) {
        ++finished;
        continue;
      }
      int id = static_cast<int>(idp[i]);
      out[r].tokens.push_back(id);
      out[r].logprobs.push_back(lpp[i]);
      ++generated;
      if (options.stop_at_eos && tokenizer_.is_eos(id)) {
        done[r] = true;
        out[r].finish = FinishReason::kEos;
        ++finished;
        continue;
      }
      if (max_stop > 0) {
        tails[r] += tokenizer_.piece_text(id);
        if (tails[r].size() > 4 * max_stop + 16) tails[r].erase(0, tails[r].size() - 2 * max_stop);
        if (ends_with_stop(tails[r], cfg.stop)) {
          done[r] = true;
          out[r].finish = FinishReason::kStop;
          ++finished;
          continue;
        }
      }
    }
    if (finished == ab || step + 1 == max_new) break;
    // Drop finished rows from the decode batch once they are a quarter of it (one gather of the cache per
    // drop, so at most a few per call); until then they ride along and their outputs are ignored.
    torch::Tensor next = ids.view({ab, 1});
    if (options.drop_finished && finished > 0 && 4 * finished >= ab) {
      std::vector<int64_t> keep_host, still;
      for (int64_t i = 0; i < ab; ++i)
        if (!done[active[i]]) {
          keep_host.push_back(i);
          still.push_back(active[i]);
        }
      auto keep = torch::from_blob(keep_host.data(), {static_cast<int64_t>(keep_host.size())}, i64).clone().to(device);
      next = next.index_select(0, keep);
      positions_all = positions_all.index_select(0, keep);
      valid = valid.index_select(0, keep);
      if (use_cache) {
        cache->select_rows(keep);
        key_mask = key_mask.index_select(0, keep);
      } else {
        seq = seq.index_select(0, keep);
      }
      active = std::move(still);
    }
    // Feed the sampled tokens.
    int64_t col = p + step;
    decode_rows += next.size(0);
    auto pos = positions_all.narrow(1, col, 1);
    if (use_cache) {
      state = last_hidden(next, pos, key_mask.narrow(3, 0, col + 1), &*cache);
    } else {
      seq = torch::cat({seq, next}, 1);
      auto mask = model::padded_causal_mask(valid.narrow(1, 0, col + 1), 0);
      state = last_hidden(seq, positions_all.narrow(1, 0, col + 1), mask, nullptr);
    }
  }
  for (int64_t r = 0; r < b; ++r) {
    std::vector<int> body = out[r].tokens;
    if (!body.empty() && out[r].finish == FinishReason::kEos) body.pop_back();
    out[r].text = tokenizer_.decode(body);
  }
  stats_.prompt_tokens = 0;
  for (const auto& pr : prompts) stats_.prompt_tokens += static_cast<int64_t>(pr.size());
  stats_.prefill_rows = prefill_rows;
  stats_.generated_tokens = generated;
  stats_.decode_steps = steps;
  stats_.decode_rows = decode_rows;
  stats_.seconds = clock.seconds();
  return out;
}

}  // namespace r1::generate
