// Checkpoint directories: atomic save with `latest` and pruning, discovery of the newest one, loading.
#include "r1/io/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <torch/torch.h>

#include "r1/io/safetensors.h"
#include "r1/io/weights_file.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

constexpr const char* kConfigFile = "config.json";
constexpr const char* kWeightsFile = kWeightsFileName;
constexpr const char* kIndexFile = kWeightsIndexFileName;
constexpr const char* kSpmFile = "tokenizer.model";
constexpr const char* kHfTokenizerFile = "tokenizer.json";
constexpr const char* kTokenizerConfigFile = "tokenizer_config.json";
constexpr const char* kGenerationConfigFile = "generation_config.json";
// The files a tokenizer.json checkpoint carries besides it (kept as the model ships them).
constexpr const char* kHfTokenizerCompanions[] = {kTokenizerConfigFile, "chat_template.jinja"};
constexpr const char* kTrainerDir = "trainer_state";
constexpr const char* kStateFile = "state.json";
constexpr const char* kTrainerTensorsFile = "tensors.safetensors";
constexpr const char* kLatestFile = "latest";
constexpr const char* kFinalName = "final";
constexpr const char* kCheckpointPrefix = "checkpoint-";

bool path_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

bool path_is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

// The step of a "checkpoint-<digits>" name, or -1.
long checkpoint_step(const std::string& name) {
  std::string prefix = kCheckpointPrefix;
  if (!starts_with(name, prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 18) return -1;
  long step = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    step = step * 10 + (name[i] - '0');
  }
  return step;
}

// A name that stays inside its parent directory and is not hidden.
bool is_plain_name(const std::string& name) {
  return !name.empty() && name[0] != '.' && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

Json parse_json_text(const std::string& text, const fs::path& path) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    std::string msg = e.what();
    size_t pos = msg.find(' ');
    throw InputError(path.string() + ": not valid JSON (" + (pos == std::string::npos ? msg : msg.substr(pos + 1)) +
                     ")");
  }
}

Json parse_json_file(const fs::path& path) { return parse_json_text(read_file(path), path); }

std::string pretty(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n"; }

uint64_t tensor_bytes(const std::map<std::string, at::Tensor>& tensors) {
  uint64_t total = 0;
  for (const auto& [name, t] : tensors)
    if (t.defined()) total += static_cast<uint64_t>(t.numel()) * t.element_size();
  return total;
}

Json token_or_null(const std::string& token) { return token.empty() ? Json(nullptr) : Json(token); }

// Removes what interrupted saves left behind: r1 temporary names (fs.h), and the ".tmp-*" / "*.old.tmp.*" /
// "latest.tmp.*" names of older versions.
void remove_leftovers(const fs::path& stage_dir) {
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (fs::directory_iterator it(stage_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (is_temp_name(name) || starts_with(name, ".tmp-") || name.find(".old.tmp.") != std::string::npos ||
        starts_with(name, std::string(kLatestFile) + ".tmp."))
      doomed.push_back(it->path());
  }
  for (const auto& p : doomed) fs::remove_all(p, ec);
}

// checkpoint-* directories of a stage dir with their steps, highest step first.
std::vector<std::pair<long, std::string>> numbered_checkpoints(const fs::path& stage_dir) {
  std::vector<std::pair<long, std::string>> out;
  std::error_code ec;
  for (fs::directory_iterator it(stage_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    long step = checkpoint_step(name);
    if (step >= 0 && path_is_dir(it->path())) out.emplace_back(step, name);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

void prune(const fs::path& stage_dir, const std::string& just_saved, int keep_last) {
  if (keep_last <= 0) return;
  size_t slots = static_cast<size_t>(keep_last);
  if (checkpoint_step(just_saved) >= 0) --slots;  // the new one takes a slot and is never pruned
  size_t kept = 0;
  for (const auto& [step, name] : numbered_checkpoints(stage_dir)) {
    if (name == just_saved) continue;
    if (kept < slots) {
      ++kept;
      continue;
    }
    // Rename first so a crash mid-removal never leaves a half-deleted dir that looks like a checkpoint.
    fs::path victim = stage_dir / name;
    fs::path aside = temp_sibling(stage_dir / name);
    std::error_code ec;
    fs::rename(victim, aside, ec);
    fs::remove_all(ec ? victim : aside, ec);
  }
  fsync_path(stage_dir);
}

// tokenizer_config.json and special_tokens_map.json for a SentencePiece tokenizer (LlamaTokenizer).
void write_spm_tokenizer_config(const fs::path& dir, const CheckpointContent& c) {
  Json tok = Json::object();
  tok["tokenizer_class"] = "LlamaTokenizer";
  tok["bos_token"] = token_or_null(c.bos_token);
  tok["eos_token"] = token_or_null(c.eos_token);
  tok["pad_token"] = token_or_null(c.pad_token);
  tok["unk_token"] = token_or_null(c.unk_token);
  tok["model_max_length"] = c.model.max_position_embeddings;
  tok["add_bos_token"] = true;
  tok["add_eos_token"] = false;
  tok["clean_up_tokenization_spaces"] = false;
  tok["legacy"] = false;
  tok["sp_model_kwargs"] = Json::object();
  write_file_atomic(dir / "tokenizer_config.json", pretty(tok));

  Json special = Json::object();
  for (const auto& [key, token] : {std::pair<const char*, const std::string*>{"bos_token", &c.bos_token},
                                   {"eos_token", &c.eos_token},
                                   {"pad_token", &c.pad_token},
                                   {"unk_token", &c.unk_token}})
    if (!token->empty()) special[key] = *token;
  write_file_atomic(dir / "special_tokens_map.json", pretty(special));
}

// The input model's generation_config.json as it came, else r1's own: bos, eos (a list when several), pad.
void write_generation_config(const fs::path& dir, const CheckpointContent& c) {
  if (!c.generation_config.empty()) {
    write_file_atomic(dir / kGenerationConfigFile, c.generation_config);
    return;
  }
  std::vector<int> eos = c.eos_ids;
  if (eos.empty() && c.eos_id >= 0) eos.push_back(c.eos_id);
  Json gen = Json::object();
  if (c.bos_id >= 0) gen["bos_token_id"] = c.bos_id;
  if (eos.size() == 1) gen["eos_token_id"] = eos.front();
  if (eos.size() > 1) gen["eos_token_id"] = eos;
  if (c.pad_id >= 0) gen["pad_token_id"] = c.pad_id;
  write_file_atomic(dir / kGenerationConfigFile, pretty(gen));
}

// Each id indexes the model's embedding: InputError "<file>: key \"<key>\": id ... is outside ..." otherwise.
void require_ids_in_vocab(const std::vector<int>& ids, const fs::path& file, const char* key, int vocab) {
  for (int id : ids)
    if (id >= vocab)
      throw InputError(file.string() + ": key \"" + key + "\": id " + std::to_string(id) +
                       " is outside the model's vocabulary (config.json vocab_size " + std::to_string(vocab) + ")");
}

// generation_config.json's eos_token_id (an int or a list of ints; [] when absent or null), each below `vocab`.
std::vector<int> generation_eos_ids(const std::string& text, const fs::path& file, int vocab) {
  Json gen = parse_json_text(text, file);
  if (!gen.is_object()) throw InputError(file.string() + ": expected a JSON object, got " + describe_json(gen));
  std::vector<int> ids = read_token_ids(gen, "eos_token_id", file.string());
  require_ids_in_vocab(ids, file, "eos_token_id", vocab);
  return ids;
}

// config.json's eos ids (checked against its vocab_size), then generation_config.json's, without repeats.
std::vector<int> model_eos_ids(const fs::path& dir, const HfModelInfo& info, const std::vector<int>& generation) {
  require_ids_in_vocab(info.eos_ids, dir / kConfigFile, "eos_token_id", info.config.vocab_size);
  std::vector<int> ids;
  for (const auto* list : {&info.eos_ids, &generation})
    for (int id : *list)
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  return ids;
}

// config.json; eos_token_id lists every eos id when there are several (eos_id first), so none is lost.
void write_config(const fs::path& dir, const CheckpointContent& c) {
  Json config = hf_config_from_model(c.model, c.vocab_size, c.bos_id, c.eos_id, c.pad_id, c.torch_dtype);
  if (c.eos_ids.size() > 1) config["eos_token_id"] = c.eos_ids;
  write_file_atomic(dir / kConfigFile, pretty(config));
}

void write_weights(const fs::path& dir, const CheckpointContent& c) {
  write_config(dir, c);
  save_safetensors((dir / kWeightsFile).string(), c.weights, {{"format", "pt"}});
  for (const auto& [file, bytes] : c.tokenizer_files) write_file_atomic(dir / file, bytes);
  if (c.tokenizer_files.count(kTokenizerConfigFile) == 0) write_spm_tokenizer_config(dir, c);
  write_generation_config(dir, c);
}

// Loads the weights named by model.safetensors.index.json.
std::map<std::string, at::Tensor> load_sharded(const fs::path& dir) {
  fs::path index_path = dir / kIndexFile;
  std::string src = index_path.string();
  Json index = parse_json_file(index_path);
  if (!index.is_object()) throw InputError(src + ": expected a JSON object, got " + describe_json(index));
  auto wm = index.find("weight_map");
  if (wm == index.end()) throw InputError(src + ": key \"weight_map\": missing");
  if (!wm->is_object() || wm->empty())
    throw InputError(src + ": key \"weight_map\": expected a non-empty object of tensor name -> file, got " +
                     describe_json(*wm));
  std::map<std::string, std::vector<std::string>> by_file;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it.value().is_string())
      throw InputError(src + ": weight_map " + quote(it.key()) + ": expected a file name, got " +
                       describe_json(it.value()));
    std::string file = it.value().get<std::string>();
    if (!is_plain_name(file))
      throw InputError(src + ": weight_map " + quote(it.key()) + ": shard " + quote(file) +
                       " must be a plain file name in the checkpoint directory");
    by_file[file].push_back(it.key());
  }
  for (const auto& [file, names] : by_file)
    if (!path_exists(dir / file))
      throw InputError(src + ": shard " + quote(file) + " (holding " + quote(names.front()) + ") does not exist");
  std::map<std::string, at::Tensor> weights;
  std::map<std::string, std::string> origin;  // tensor -> shard it came from
  for (const auto& [file, names] : by_file) {
    fs::path shard = dir / file;
    auto tensors = load_safetensors(shard.string());
    for (auto& [name, t] : tensors) {
      auto seen = origin.find(name);
      if (seen != origin.end())
        throw InputError(shard.string() + ": tensor " + quote(name) + " is also in shard " + quote(seen->second));
      auto mapped = wm->find(name);
      if (mapped == wm->end())
        throw InputError(shard.string() + ": tensor " + quote(name) + " is not listed in " + src + " weight_map");
      if (mapped->get<std::string>() != file)
        throw InputError(shard.string() + ": tensor " + quote(name) + " is mapped to shard " +
                         quote(mapped->get<std::string>()) + " in " + src);
      origin[name] = file;
      weights.emplace(name, std::move(t));
    }
    for (const auto& name : names)
      if (!weights.count(name))
        throw InputError(src + ": weight_map " + quote(name) + ": tensor is missing from shard " + quote(file));
  }
  return weights;
}

}  // namespace

std::string checkpoint_name(long step) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s%06ld", kCheckpointPrefix, step);
  return buf;
}

bool is_complete_checkpoint(const std::string& dir) {
  fs::path d(dir);
  return path_is_dir(d) && path_exists(d / kConfigFile) &&
         !weights_file_of(d.string()).empty() &&
         (path_exists(d / kHfTokenizerFile) || path_exists(d / kSpmFile));
}

std::string save_checkpoint(const std::string& stage_dir, const std::string& name, const CheckpointContent& c,
                            int keep_last) {
  if (!is_plain_name(name) || name == kLatestFile)
    throw RuntimeFailure("save_checkpoint: invalid checkpoint name " + quote(name));
  fs::path stage(stage_dir);
  make_dirs(stage);
  remove_leftovers(stage);

  uint64_t tokenizer_bytes = 0;
  for (const auto& [file, text] : c.tokenizer_files) tokenizer_bytes += text.size();
  uint64_t bytes = tensor_bytes(c.weights) + tensor_bytes(c.trainer_tensors) + tokenizer_bytes +
                   c.generation_config.size() +
                   (c.trainer_state.is_null() ? 0 : c.trainer_state.dump().size());
  require_free_space(stage, 2 * bytes + (1u << 20), "checkpoint " + (stage / name).string());

  fs::path tmp = temp_sibling(stage / name);
  std::error_code ec;
  fs::remove_all(tmp, ec);
  try {
    make_dirs(tmp);
    write_weights(tmp, c);
    if (!c.trainer_state.is_null()) {
      fs::path ts = tmp / kTrainerDir;
      make_dirs(ts);
      write_file_atomic(ts / kStateFile, pretty(c.trainer_state));
      save_safetensors((ts / kTrainerTensorsFile).string(), c.trainer_tensors);
      fsync_path(ts);
    }
    fsync_path(tmp);
    rename_dir_durable(tmp, stage / name);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  write_file_atomic(stage / kLatestFile, name + "\n");
  prune(stage, name, keep_last);
  return (stage / name).string();
}

std::optional<std::string> latest_checkpoint(const std::string& stage_dir) {
  fs::path stage(stage_dir);
  if (!path_is_dir(stage)) return std::nullopt;
  fs::path latest = stage / kLatestFile;
  std::error_code ec;
  if (fs::is_regular_file(latest, ec) && fs::file_size(latest, ec) < 4096) {
    std::string name;
    try {
      name = trim(read_file(latest));
    } catch (const InputError&) {
      name.clear();
    }
    if (is_plain_name(name) && is_complete_checkpoint((stage / name).string())) return (stage / name).string();
  }
  if (is_complete_checkpoint((stage / kFinalName).string())) return (stage / kFinalName).string();
  for (const auto& [step, name] : numbered_checkpoints(stage))
    if (is_complete_checkpoint((stage / name).string())) return (stage / name).string();
  return std::nullopt;
}

std::string resolve_checkpoint_dir(const std::string& path) {
  fs::path p(path);
  if (!path_exists(p)) throw InputError(path + ": no such checkpoint directory");
  if (!path_is_dir(p)) throw InputError(path + ": expected a checkpoint directory, found a file");
  if (path_exists(p / kConfigFile)) return p.string();
  if (is_complete_checkpoint((p / kFinalName).string())) return (p / kFinalName).string();
  if (auto latest = latest_checkpoint(path)) return *latest;
  throw InputError("no checkpoint found in " + path +
                   " (expected config.json there, or a stage directory with a complete final/ or checkpoint-*/)");
}

LoadedCheckpoint load_checkpoint(const std::string& path, bool with_trainer_state, bool with_weights) {
  LoadedCheckpoint out;
  out.path = resolve_checkpoint_dir(path);
  fs::path dir(out.path);
  out.info = load_hf_config((dir / kConfigFile).string());
  std::vector<int> generation_eos;
  if (path_exists(dir / kGenerationConfigFile)) {
    out.generation_config = read_file(dir / kGenerationConfigFile);
    generation_eos = generation_eos_ids(out.generation_config, dir / kGenerationConfigFile,
                                        out.info.config.vocab_size);
  }
  out.eos_ids = model_eos_ids(dir, out.info, generation_eos);

  const std::string weights = weights_file_of(dir.string());
  if (weights.empty())
    throw InputError(out.path + ": no model weights (expected " + kWeightsFile + " or " + kIndexFile + ")");
  if (with_weights) out.weights = ends_with(weights, kIndexFile) ? load_sharded(dir) : load_safetensors(weights);

  if (path_exists(dir / kHfTokenizerFile)) {
    out.tokenizer_files[kHfTokenizerFile] = read_file(dir / kHfTokenizerFile);
    for (const char* file : kHfTokenizerCompanions)
      if (path_exists(dir / file)) out.tokenizer_files[file] = read_file(dir / file);
  } else if (path_exists(dir / kSpmFile)) {
    out.tokenizer_files[kSpmFile] = read_file(dir / kSpmFile);
  } else {
    throw InputError(out.path + ": no tokenizer (expected " + kHfTokenizerFile + " or " + kSpmFile + ")");
  }

  fs::path ts = dir / kTrainerDir;
  if (with_trainer_state && path_exists(ts)) {
    if (!path_is_dir(ts)) throw InputError(ts.string() + ": expected a directory");
    fs::path state = ts / kStateFile;
    if (!path_exists(state)) throw InputError(ts.string() + ": missing " + kStateFile);
    out.trainer_state = parse_json_file(state);
    if (out.trainer_state.is_null()) throw InputError(state.string() + ": expected JSON content, got null");
    fs::path tensors = ts / kTrainerTensorsFile;
    if (path_exists(tensors)) out.trainer_tensors = load_safetensors(tensors.string());
  }
  return out;
}

}  // namespace r1
