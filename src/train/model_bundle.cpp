// Model + tokenizer loading and saving.
#include "r1/train/model_bundle.h"

#include <filesystem>

#include "r1/io/weights_file.h"
#include "r1/util/error.h"

namespace r1::train {

namespace {
// Generation stops at EOS and batches pad with it (or pad): a model's tokenizer must name one.
void require_eos(const Tokenizer& tok, const std::string& where) {
  if (tok.eos_id() < 0)
    throw InputError(where + ": the tokenizer names no eos token (tokenizer_config.json eos_token); r1 needs one "
                     "to stop generation");
}
// Special ids index the embedding: each must be below the model's vocabulary.
void require_special_ids_in_range(const Tokenizer& tok, int vocab, const std::string& where) {
  for (const auto& [name, id] : {std::pair<const char*, int>{"bos", tok.bos_id()}, {"eos", tok.eos_id()},
                                 {"pad", tok.pad_id()}})
    if (id >= vocab)
      throw InputError(where + ": the tokenizer's " + name + " id " + std::to_string(id) +
                       " is outside the model's vocabulary (config.json vocab_size " + std::to_string(vocab) + ")");
}
// The file to name when the weights do not fit: model.safetensors, or for sharded weights the index that maps each
// tensor to its shard (there is no model.safetensors to look at then).
std::string weights_file(const LoadedCheckpoint& ck) {
  const auto file = weights_file_of(ck.path);
  return file.empty() ? (std::filesystem::path(ck.path) / kWeightsFileName).string() : file;
}
}  // namespace

void require_finite_weights(const std::map<std::string, at::Tensor>& weights, const std::string& where) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, t] : weights) {
    if (!t.defined() || !t.is_floating_point() || t.numel() == 0) continue;
    if (torch::isfinite(t).all().item<bool>()) continue;
    const auto bad = (~torch::isfinite(t)).sum().item<std::int64_t>();
    throw InputError(where + ": tensor \"" + name + "\" holds " + std::to_string(bad) + " non-finite value" +
                     (bad == 1 ? "" : "s") + " (NaN or Inf) of " + std::to_string(t.numel()) +
                     "; the checkpoint is unusable (take an earlier checkpoint, or lower the learning rate if "
                     "training produced it)");
  }
}

namespace {
// The checkpoint's tokenizer with every eos id of its configs, checked against its vocab_size.
Tokenizer checkpoint_tokenizer(const LoadedCheckpoint& ck) {
  Tokenizer tok = Tokenizer::from_files(ck.tokenizer_files, ck.path);
  require_eos(tok, ck.path);
  tok.add_eos_ids(ck.eos_ids);  // load_checkpoint checked them against vocab_size
  const int vocab = ck.info.config.vocab_size;
  if (tok.vocab_size() > vocab)
    throw InputError(ck.path + ": the tokenizer has " + std::to_string(tok.vocab_size()) +
                     " tokens but config.json vocab_size is " + std::to_string(vocab));
  require_special_ids_in_range(tok, vocab, ck.path);
  return tok;
}
}  // namespace

ModelBundle load_model(const std::string& path, const torch::Device& device) {
  LoadedCheckpoint ck = load_checkpoint(path, /*with_trainer_state=*/false);
  ModelBundle b;
  b.source = ck.path;
  b.source_dtype = ck.info.torch_dtype;
  b.generation_config = ck.generation_config;
  b.tokenizer = checkpoint_tokenizer(ck);
  const int vocab = ck.info.config.vocab_size;
  require_finite_weights(ck.weights, ck.path);
  b.model = model::Transformer(ck.info.config, vocab);
  b.model->load_weights(ck.weights, weights_file(ck));
  b.model->to_device(device);
  return b;
}

Tokenizer load_tokenizer(const std::string& path) {
  return checkpoint_tokenizer(load_checkpoint(path, /*with_trainer_state=*/false, /*with_weights=*/false));
}

ModelBundle fresh_model(const config::ModelConfig& cfg, const Tokenizer& tokenizer, std::uint64_t seed,
                        const torch::Device& device) {
  require_eos(tokenizer, "a new model");
  ModelBundle b;
  b.tokenizer = tokenizer;
  config::ModelConfig shape = cfg;
  if (shape.vocab_size == 0) shape.vocab_size = tokenizer.vocab_size();
  if (shape.vocab_size < tokenizer.vocab_size())
    throw InputError("model vocab_size " + std::to_string(shape.vocab_size) + " is smaller than the tokenizer's " +
                     std::to_string(tokenizer.vocab_size()));
  b.model = model::Transformer(shape, shape.vocab_size);
  b.model->init_weights(seed);
  b.model->to_device(device);
  return b;
}

std::string resolve_save_dtype(const ModelBundle& bundle, const std::string& save_dtype) {
  if (save_dtype == "float32" || save_dtype == "bfloat16") return save_dtype;
  if (save_dtype != "auto")
    throw InputError("save_dtype: expected auto | float32 | bfloat16, got \"" + save_dtype + "\"");
  const std::string& in = bundle.source_dtype;
  return in == "bfloat16" || in == "float16" ? in : "float32";  // anything else (e.g. float64) saves float32
}

namespace {
torch::ScalarType scalar_type_of(const std::string& dtype) {
  return dtype == "bfloat16" ? torch::kBFloat16 : dtype == "float16" ? torch::kFloat16 : torch::kFloat32;
}
}  // namespace

CheckpointContent checkpoint_content(const ModelBundle& bundle, const std::string& save_dtype) {
  CheckpointContent c;
  c.model = bundle.model->config();
  c.model.vocab_size = static_cast<int>(bundle.model->vocab_size());
  c.vocab_size = static_cast<int>(bundle.model->vocab_size());
  const Tokenizer& t = bundle.tokenizer;
  c.bos_id = t.bos_id();
  c.eos_id = t.eos_id();
  c.pad_id = t.pad_id();
  c.bos_token = t.bos_id() >= 0 ? t.id_to_piece(t.bos_id()) : "";
  c.eos_token = t.id_to_piece(t.eos_id());
  c.pad_token = t.id_to_piece(t.pad_id());
  c.unk_token = t.unk_id() >= 0 ? t.id_to_piece(t.unk_id()) : "";
  c.torch_dtype = resolve_save_dtype(bundle, save_dtype);
  const torch::ScalarType type = scalar_type_of(c.torch_dtype);
  for (const auto& [name, tensor] : bundle.model->named_weights()) c.weights[name] = tensor.detach().to(type);
  c.tokenizer_files = t.files();
  c.generation_config = bundle.generation_config;
  c.eos_ids = t.eos_ids();
  return c;
}

void require_same_tokenizer(const Tokenizer& a, const std::string& a_name, const Tokenizer& b,
                            const std::string& b_name) {
  if (a.same_as(b)) return;
  throw InputError("tokenizer mismatch: " + a_name + " (" + std::to_string(a.vocab_size()) + " pieces) and " +
                   b_name + " (" + std::to_string(b.vocab_size()) +
                   " pieces) use different tokenizers; distillation needs the same one");
}

}  // namespace r1::train
