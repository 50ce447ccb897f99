// Sampling settings for the batched generator.
#pragma once
#include "r1/config/enums.h"
#include "r1/config/fields.h"

namespace r1::config {

struct SamplingConfig {
  double temperature = 1.0;      // 0 = greedy
  double top_p = 1.0;            // nucleus mass; 1 = off
  int top_k = 0;                 // 0 = off
  int max_new_tokens = 64;       // completion budget in tokens
  std::vector<std::string> stop = {"</answer>"};  // stop after any of these strings (kept in the text)
  // Element type of the KV cache: auto (the model's dtype) | float32 | bfloat16 (half the cache's memory and
  // of the bytes a decode step reads; keys/values rounded to 8 significant bits, arithmetic stays float32).
  KvCacheDtype kv_cache_dtype = KvCacheDtype::kAuto;

  template <class V>
  void visit(V& v) {
    v("temperature", temperature, Min{0});
    v("top_p", top_p, Between{0.01, 1});
    v("top_k", top_k, Min{0});
    v("max_new_tokens", max_new_tokens, Min{1});
    v("stop", stop);
    v("kv_cache_dtype", kv_cache_dtype);
  }
};

}  // namespace r1::config
