// The weights a checkpoint holds and the weights a config needs, by name and shape, without reading any tensor
// data: the preflight compares them, so a missing shard or a tensor of the wrong shape is refused before a stage
// writes anything.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "r1/config/model_config.h"

namespace r1 {

using WeightShapes = std::map<std::string, std::vector<std::int64_t>>;

// HF-named weights of the Llama/Qwen2 decoder `cfg` with `vocab` embedding rows (what TransformerImpl registers:
// q/k/v biases when cfg.qkv_bias, lm_head.weight unless tied).
WeightShapes expected_weight_shapes(const config::ModelConfig& cfg, std::int64_t vocab);

// Names and shapes in checkpoint `dir`'s model.safetensors, or in the shards its model.safetensors.index.json
// names; `files` (when given) gets each tensor's file. Reads only the files' headers. InputError naming the file
// when a shard is missing or a header is malformed.
WeightShapes read_weight_shapes(const std::string& dir, std::map<std::string, std::string>* files = nullptr);

// The first disagreement between `found` (in `dir`) and `needed`, as one message naming the file, the tensor and
// both shapes ("" when every needed tensor is there with its shape).
std::string weight_shape_mismatch(const WeightShapes& found, const std::map<std::string, std::string>& files,
                                  const WeightShapes& needed);

}  // namespace r1
