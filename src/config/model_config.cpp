// Model shape checks and the path-or-inline model field.
#include "r1/config/model_config.h"

#include "r1/util/error.h"

namespace r1::config {

std::int64_t ModelConfig::parameter_count(int vocab) const {
  std::int64_t h = hidden_size, hd = head_size(), q = num_attention_heads * hd, kv = kv_heads() * hd;
  std::int64_t attn = h * q + 2 * h * kv + q * h + (qkv_bias ? q + 2 * kv : 0);
  std::int64_t mlp = 3 * h * intermediate_size;
  std::int64_t layer = attn + mlp + 2 * h;
  std::int64_t embed = static_cast<std::int64_t>(vocab) * h;
  return embed * (tie_word_embeddings ? 1 : 2) + num_hidden_layers * layer + h;
}

void ModelConfig::check(Problems& p, const std::string& path) const {
  if (num_attention_heads > 0 && head_dim == 0 && hidden_size % num_attention_heads != 0)
    p.add(join_path(path, "hidden_size"), "must be divisible by num_attention_heads (" +
                                              std::to_string(hidden_size) + " % " +
                                              std::to_string(num_attention_heads) + " != 0)");
  if (kv_heads() > 0 && num_attention_heads % kv_heads() != 0)
    p.add(join_path(path, "num_key_value_heads"), "must divide num_attention_heads (" +
                                                      std::to_string(num_attention_heads) + " % " +
                                                      std::to_string(kv_heads()) + " != 0)");
  if (head_size() % 2 != 0)
    p.add(join_path(path, "head_dim"), "rotary embeddings need an even head size, got " + std::to_string(head_size()));
}

bool read_custom(const YAML::Node& node, ModelSpec& out, Problems& problems, const std::string& path) {
  if (node.IsScalar()) {
    out.file = node.Scalar();
    YAML::Node file_node;
    try {
      file_node = load_yaml_file(out.file);
    } catch (const InputError& e) {
      problems.add(path, std::string("cannot load model config: ") + e.what());
      return false;
    }
    Problems inner(out.file);
    read_struct(file_node, out.config, "", inner);
    problems.merge(inner);
    return inner.empty();
  }
  if (node.IsMap()) {
    out.file.clear();
    size_t before = problems.size();
    read_struct(node, out.config, path, problems);
    return problems.size() == before;
  }
  problems.add(path, "expected a model config file path or a mapping, got " + describe_node(node));
  return false;
}

YAML::Node write_custom(const ModelSpec& spec) { return to_yaml(spec.config); }

ModelConfig load_model_config(const std::string& path) {
  Problems problems(path);
  ModelConfig cfg;
  read_struct(load_yaml_file(path), cfg, "", problems);
  problems.throw_if_any();
  return cfg;
}

}  // namespace r1::config
