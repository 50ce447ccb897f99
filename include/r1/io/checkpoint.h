// Checkpoint directories that Hugging Face tools can read (config.json, model.safetensors, tokenizer files,
// generation_config.json) plus trainer_state/ for exact resume; atomic save, `latest`, pruning, loading.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "r1/config/model_config.h"
#include "r1/io/hf_config.h"
#include "r1/io/jsonl.h"

namespace r1 {

struct CheckpointContent {
  config::ModelConfig model;
  int vocab_size = 0, bos_id = -1, eos_id = -1, pad_id = -1;  // -1 = none (written as null)
  std::string torch_dtype = "float32";
  std::string bos_token, eos_token, pad_token, unk_token;     // piece strings for tokenizer_config.json ("" = none)
  std::map<std::string, at::Tensor> weights;                  // HF names
  // Tokenizer files, name -> bytes: tokenizer.model (SentencePiece; r1 then writes tokenizer_config.json from the
  // token strings above), or tokenizer.json with the model's own tokenizer_config.json / chat_template.jinja.
  std::map<std::string, std::string> tokenizer_files;
  // generation_config.json: the input model's bytes, written unchanged (its eos list, temperature, top_p, ...);
  // "" = r1 writes its own with bos/pad and eos_token_id = eos_ids (one int when a single id; [] = eos_id).
  std::string generation_config;
  std::vector<int> eos_ids;  // every stop id, eos_id first; config.json's eos_token_id lists them when several
  Json trainer_state;                                         // null: no trainer_state/ (e.g. exported models)
  std::map<std::string, at::Tensor> trainer_tensors;
};

// "checkpoint-000200".
std::string checkpoint_name(long step);

// Writes <stage_dir>/<name> atomically (built in ".tmp-<name>-<pid>", every file fsynced, renamed into place
// over an older one of that name), then rewrites <stage_dir>/latest, then prunes checkpoint-* dirs beyond
// keep_last (0 = keep all; "final" and `name` are never pruned). Removes leftovers of interrupted saves first.
// Throws RuntimeFailure when free disk space is under 2x the bytes to write. Returns the checkpoint path.
std::string save_checkpoint(const std::string& stage_dir, const std::string& name, const CheckpointContent& c,
                            int keep_last);

// True when `dir` holds config.json, model weights (model.safetensors or its index) and a tokenizer
// (tokenizer.json or tokenizer.model).
bool is_complete_checkpoint(const std::string& dir);

// The newest complete checkpoint of a stage dir: the one `latest` names; if `latest` is missing or names a
// missing/incomplete dir, "final" when complete, else the highest-numbered complete checkpoint-*. Hidden
// (.tmp-*) dirs are never considered. std::nullopt when none.
std::optional<std::string> latest_checkpoint(const std::string& stage_dir);

// What a user passes as a model: a checkpoint or HF dir (has config.json) -> itself; a stage dir -> its
// complete "final", else its latest checkpoint. InputError "no checkpoint found in ..." otherwise.
std::string resolve_checkpoint_dir(const std::string& path);

struct LoadedCheckpoint {
  std::string path;  // the resolved checkpoint directory
  HfModelInfo info;
  std::map<std::string, at::Tensor> weights;
  std::map<std::string, std::string> tokenizer_files;  // as in CheckpointContent
  std::string generation_config;  // generation_config.json bytes ("" when absent)
  // Every eos id of config.json, then of generation_config.json (eos_token_id: an int or a list), no repeats;
  // each below config.json vocab_size.
  std::vector<int> eos_ids;
  Json trainer_state;  // null if absent or not requested
  std::map<std::string, at::Tensor> trainer_tensors;
};

// Resolves `path` (resolve_checkpoint_dir), then loads config.json, model.safetensors (or the shards of
// model.safetensors.index.json: every shard validated, every mapped tensor present, none in two shards),
// the tokenizer (tokenizer.json with tokenizer_config.json and chat_template.jinja when present, else tokenizer.model;
// one is required), generation_config.json when present and, when with_trainer_state, trainer_state/ if present.
// Errors name file and key (e.g. generation_config.json "eos_token_id" not an id or a list of ids, or an id
// outside vocab_size). Without `with_weights` the weights file must exist but is not read (`weights` stays empty).
LoadedCheckpoint load_checkpoint(const std::string& path, bool with_trainer_state, bool with_weights = true);

}  // namespace r1
