// Model FLOP counts for MFU.
#include "r1/bench/model_flops.h"

namespace r1::bench {

std::int64_t matmul_parameters(const config::ModelConfig& cfg, std::int64_t vocab) {
  const std::int64_t h = cfg.hidden_size, q = std::int64_t{cfg.num_attention_heads} * cfg.head_size(),
                     kv = std::int64_t{cfg.kv_heads()} * cfg.head_size(), inter = cfg.intermediate_size;
  const std::int64_t per_layer = h * q + 2 * h * kv + q * h + 3 * h * inter;
  return per_layer * cfg.num_hidden_layers + h * vocab;
}

double attention_pairs(const std::vector<int>& segments) {
  double pairs = 0, run = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    run = (i > 0 && segments[i] == segments[i - 1]) ? run + 1 : 1;
    pairs += 2 * run - 1;  // a segment of n tokens adds 1 + 3 + ... + (2n - 1) = n^2
  }
  return pairs;
}

double forward_flops_of(const config::ModelConfig& cfg, std::int64_t vocab, double tokens, double pairs) {
  const double dense = 2.0 * static_cast<double>(matmul_parameters(cfg, vocab)) * tokens;
  // Per layer and query-key pair: q.k and probs.v over the head width, 2 FLOPs per multiply-add each.
  const double attn_width = static_cast<double>(cfg.num_attention_heads) * cfg.head_size();
  return dense + 4.0 * attn_width * pairs * cfg.num_hidden_layers;
}

double forward_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len) {
  const double tokens = static_cast<double>(rows) * static_cast<double>(len);
  return forward_flops_of(cfg, vocab, tokens, tokens * static_cast<double>(len));
}

double train_flops_of(const config::ModelConfig& cfg, std::int64_t vocab, double tokens, double pairs) {
  return 3.0 * forward_flops_of(cfg, vocab, tokens, pairs);
}

double train_flops(const config::ModelConfig& cfg, std::int64_t vocab, std::int64_t rows, std::int64_t len) {
  return 3.0 * forward_flops(cfg, vocab, rows, len);
}

}  // namespace r1::bench
