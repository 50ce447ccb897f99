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
};

// Loads a checkpoint dir / stage dir / HF dir (see io/checkpoint.h) onto `device`. The tokenizer's vocabulary
// and its special ids must fit the model's, and every weight must be finite (InputError naming the sizes, the id
// or the tensor otherwise).
ModelBundle load_model(const std::string& path, const torch::Device& device);

// A freshly initialised model of shape `cfg` for `tokenizer` (vocab_size 0 = the tokenizer's), seeded.
ModelBundle fresh_model(const config::ModelConfig& cfg, const Tokenizer& tokenizer, std::uint64_t seed,
                        const torch::Device& device);

// Throws InputError naming the first tensor that holds a NaN or an Inf (one pass over the weights).
void require_finite_weights(const std::map<std::string, at::Tensor>& weights, const std::string& where);

// Checkpoint content for the bundle's current weights (no trainer state).
CheckpointContent checkpoint_content(const ModelBundle& bundle);

// Fails with InputError unless both tokenizers are the same model (same serialized bytes).
void require_same_tokenizer(const Tokenizer& a, const std::string& a_name, const Tokenizer& b,
                            const std::string& b_name);

}  // namespace r1::train
