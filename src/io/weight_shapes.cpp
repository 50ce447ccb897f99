// Weight names and shapes from configs and safetensors headers (see weight_shapes.h).
#include "r1/io/weight_shapes.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "r1/util/error.h"
#include "r1/io/jsonl.h"
#include "r1/io/weights_file.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// One safetensors file's header: tensor name -> shape.
WeightShapes header_shapes(const fs::path& file) {
  const std::string src = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(src + ": cannot open");
  unsigned char prefix[8];
  if (!in.read(reinterpret_cast<char*>(prefix), 8)) throw InputError(src + ": shorter than a safetensors header");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | prefix[i];  // little-endian length of the JSON header
  const auto size = fs::file_size(file);
  if (n > size - 8) throw InputError(src + ": header length " + std::to_string(n) + " exceeds the file");
  std::string text(n, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(n))) throw InputError(src + ": truncated header");
  Json header;
  try {
    header = Json::parse(text);
  } catch (const std::exception&) {
    throw InputError(src + ": the header is not valid JSON");
  }
  if (!header.is_object()) throw InputError(src + ": the header is not a JSON object");
  WeightShapes out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const Json* shape = it.value().is_object() && it.value().contains("shape") ? &it.value()["shape"] : nullptr;
    if (!shape || !shape->is_array()) throw InputError(src + ": tensor " + quote(it.key()) + " has no shape");
    std::vector<std::int64_t> dims;
    for (const auto& d : *shape) {
      if (!d.is_number_integer()) throw InputError(src + ": tensor " + quote(it.key()) + ": bad shape");
      dims.push_back(d.get<std::int64_t>());
    }
    out[it.key()] = dims;
  }
  return out;
}

}  // namespace

WeightShapes expected_weight_shapes(const config::ModelConfig& cfg, std::int64_t vocab) {
  const std::int64_t h = cfg.hidden_size, hd = cfg.head_size(), q = std::int64_t{cfg.num_attention_heads} * hd,
                     kv = std::int64_t{cfg.kv_heads()} * hd, ffn = cfg.intermediate_size;
  WeightShapes w;
  w["model.embed_tokens.weight"] = {vocab, h};
  w["model.norm.weight"] = {h};
  if (!cfg.tie_word_embeddings) w["lm_head.weight"] = {vocab, h};
  for (int i = 0; i < cfg.num_hidden_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    w[p + "input_layernorm.weight"] = {h};
    w[p + "post_attention_layernorm.weight"] = {h};
    w[p + "self_attn.q_proj.weight"] = {q, h};
    w[p + "self_attn.k_proj.weight"] = {kv, h};
    w[p + "self_attn.v_proj.weight"] = {kv, h};
    w[p + "self_attn.o_proj.weight"] = {h, q};
    if (cfg.qkv_bias) {
      w[p + "self_attn.q_proj.bias"] = {q};
      w[p + "self_attn.k_proj.bias"] = {kv};
      w[p + "self_attn.v_proj.bias"] = {kv};
    }
    w[p + "mlp.gate_proj.weight"] = {ffn, h};
    w[p + "mlp.up_proj.weight"] = {ffn, h};
    w[p + "mlp.down_proj.weight"] = {h, ffn};
  }
  return w;
}

WeightShapes read_weight_shapes(const std::string& dir, std::map<std::string, std::string>* files) {
  const fs::path d(dir), weights = weights_file_of(dir), index_file = d / kWeightsIndexFileName;
  std::error_code ec;
  if (weights.filename() == kWeightsFileName) {
    const fs::path& single = weights;
    auto shapes = header_shapes(single);
    if (files)
      for (const auto& [name, shape] : shapes) (*files)[name] = single.string();
    return shapes;
  }
  const std::string src = index_file.string();
  Json index;
  try {
    index = Json::parse(read_file(index_file));
  } catch (const std::exception&) {
    throw InputError(src + ": not valid JSON");
  }
  if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object())
    throw InputError(src + ": key \"weight_map\": expected an object of tensor name -> file");
  std::map<std::string, std::string> first_tensor;  // shard -> a tensor it holds (for the message)
  for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it)
    if (it.value().is_string()) first_tensor.emplace(it.value().get<std::string>(), it.key());
  WeightShapes shapes;
  for (const auto& [file, tensor] : first_tensor) {
    const fs::path shard = d / file;
    if (!fs::exists(shard, ec))
      throw InputError(src + ": shard " + quote(file) + " (holding " + quote(tensor) + ") does not exist");
    for (auto& [name, shape] : header_shapes(shard)) {
      if (files) (*files)[name] = shard.string() + " (via " + kWeightsIndexFileName + ")";
      shapes[name] = std::move(shape);
    }
  }
  return shapes;
}

std::string weight_shape_mismatch(const WeightShapes& found, const std::map<std::string, std::string>& files,
                                  const WeightShapes& needed) {
  for (const auto& [name, shape] : needed) {
    auto it = found.find(name);
    if (it == found.end())
      return "tensor " + name + " is missing from the checkpoint's weights (config.json needs it)";
    if (it->second != shape) {
      auto f = files.find(name);
      return (f == files.end() ? std::string() : f->second + ": ") + "tensor " + name + " has shape " +
             shape_text(it->second) + ", the model needs " + shape_text(shape) + " (config.json)";
    }
  }
  return "";
}

}  // namespace r1
