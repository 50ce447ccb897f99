// A model together with its tokenizer: loaded from a checkpoint (r1's or Hugging Face's), created fresh from a
// model config, and turned back into checkpoint content.
#pragma once
#include <string>

#include <torch/torch.h>

#include "r1/io/checkpoint.h"
#include "r1/model/transformer.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::train {

struct ModelBundle {
  model::Transformer model{nullptr};
  Tokenizer tokenizer;
  std::string source;  // checkpoint dir it came from ("" for fresh models)
  std::string source_dtype = "float32";  // its config.json torch_dtype (what save_dtype auto writes)
  std::string generation_config;  // its generation_config.json bytes, saved unchanged ("" = none: r1 writes one)
};

// Loads a checkpoint dir / stage dir / HF dir (see io/checkpoint.h) onto `device`. The tokenizer's vocabulary
// and its special ids must fit the model's, and every weight must be finite (InputError naming the sizes, the id
// or the tensor otherwise). The eos ids of config.json and generation_config.json join the tokenizer's
// (Tokenizer::eos_ids), so generation stops at each.
ModelBundle load_model(const std::string& path, const torch::Device& device);

// The tokenizer of that checkpoint, checked as load_model checks it, without reading the weights.
Tokenizer load_tokenizer(const std::string& path);

// A freshly initialised model of shape `cfg` for `tokenizer` (vocab_size 0 = the tokenizer's), seeded.
ModelBundle fresh_model(const config::ModelConfig& cfg, const Tokenizer& tokenizer, std::uint64_t seed,
                        const torch::Device& device);

// Throws InputError naming the first tensor that holds a NaN or an Inf (one pass over the weights).
void require_finite_weights(const std::map<std::string, at::Tensor>& weights, const std::string& where);

// Checkpoint content for the bundle's current weights (no trainer state), in `save_dtype`: float32 | bfloat16 |
// float16, or auto = the dtype the bundle was loaded in (float32 for fresh models). The source's
// generation_config.json is kept as it came; without one r1 writes its own listing every eos id.
CheckpointContent checkpoint_content(const ModelBundle& bundle, const std::string& save_dtype = "auto");

// The dtype `save_dtype` resolves to for this bundle: "float32" | "bfloat16" | "float16".
std::string resolve_save_dtype(const ModelBundle& bundle, const std::string& save_dtype);

// Fails with InputError unless both tokenizers are the same model (same serialized bytes).
void require_same_tokenizer(const Tokenizer& a, const std::string& a_name, const Tokenizer& b,
                            const std::string& b_name);

}  // namespace r1::train
