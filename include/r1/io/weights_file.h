// Where a checkpoint directory keeps its weights: one model.safetensors, or shards named by
// model.safetensors.index.json. The loader, the header-only shape check and the error messages all ask here.
#pragma once
#include <string>

namespace r1 {

inline constexpr const char* kWeightsFileName = "model.safetensors";
inline constexpr const char* kWeightsIndexFileName = "model.safetensors.index.json";

// `dir`/model.safetensors when it exists, else `dir`/model.safetensors.index.json when that exists, else "".
std::string weights_file_of(const std::string& dir);

}  // namespace r1
