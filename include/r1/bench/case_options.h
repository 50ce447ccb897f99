// Settings of one benchmark case run in a child process (`r1 bench --child CASE ...`).
#pragma once
#include <cstdint>
#include <string>

#include "r1/config/enums.h"

namespace r1::bench {

struct CaseOptions {
  std::string preset = "tiny";       // model preset name (configs/models/<name>.yaml) or YAML path
  std::string tokenizer_dir;         // holds the benchmark tokenizer.model
  std::string work_dir;              // scratch space of this case (checkpoints, metrics)
  int runs = 5;                      // counted runs per figure (after warmup)
  int warmup = 1;                    // uncounted runs first
  int threads = 0;                   // intra-op threads; 0 = all cores
  std::uint64_t seed = 1234;
  // train / packing
  int seq_len = 256;                 // tokens per training row
  int train_batch = 16;              // rows per optimizer step
  int sft_examples = 256;            // SFT examples per packing-vs-padding epoch
  bool activation_checkpointing = false;  // the train case recomputes each layer in the backward
  // decode
  int new_tokens = 256;              // tokens generated per row
  int decode_batch = 64;             // the large decode batch (the small one is 1)
  bool module_decode = false;        // decode with the module forward instead of the fused DecodeModel (A/B)
  bool batch_no_cache = false;       // decode-batch also times recomputing the prefix (slow: off by default)
  config::KvCacheDtype kv_cache_dtype = config::KvCacheDtype::kAuto;  // of the decode cases and GRPO rollouts
  // grpo
  int group_size = 8;                // G
  int grpo_prompts = 16;             // prompts per step
  int grpo_new_tokens = 72;          // completion budget (the r1-tiny recipe's)
  double grpo_beta = 0.04;           // KL weight > 0, so reference log-probs are computed
  // gemm
  int gemm_n = 2048;                 // square fp32 matmul size
  // tokenize
  std::string hf_tokenizer = "../shared/hf/qwen2";  // a directory with a Hugging Face tokenizer.json

  // Every field once (the parent writes them to the child's options file, bench.json records them).
  template <class V>
  void visit(V& v) {
    v("preset", preset);
    v("tokenizer_dir", tokenizer_dir);
    v("work_dir", work_dir);
    v("runs", runs);
    v("warmup", warmup);
    v("threads", threads);
    v("seed", seed);
    v("seq_len", seq_len);
    v("train_batch", train_batch);
    v("sft_examples", sft_examples);
    v("activation_checkpointing", activation_checkpointing);
    v("new_tokens", new_tokens);
    v("decode_batch", decode_batch);
    v("module_decode", module_decode);
    v("batch_no_cache", batch_no_cache);
    v("kv_cache_dtype", kv_cache_dtype);
    v("group_size", group_size);
    v("grpo_prompts", grpo_prompts);
    v("grpo_new_tokens", grpo_new_tokens);
    v("grpo_beta", grpo_beta);
    v("gemm_n", gemm_n);
    v("hf_tokenizer", hf_tokenizer);
  }
};

}  // namespace r1::bench
