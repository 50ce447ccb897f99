// Trainer checkpoints and step logs.
#include "r1/train/train_checkpoint.h"

#include <filesystem>

#include "r1/util/error.h"
#include "r1/util/logging.h"

namespace r1::train {

std::optional<std::string> find_resume_checkpoint(const RunContext& env) {
  if (env.resume == "none" || env.resume.empty()) return std::nullopt;
  if (env.resume == "auto") {
    if (!std::filesystem::is_directory(env.stage_dir)) return std::nullopt;
    auto latest = latest_checkpoint(env.stage_dir);
    if (!latest) return std::nullopt;
    if (!std::filesystem::is_directory(std::filesystem::path(*latest) / "trainer_state")) return std::nullopt;
    return latest;
  }
  std::string dir = resolve_checkpoint_dir(env.resume);
  if (!std::filesystem::is_directory(std::filesystem::path(dir) / "trainer_state"))
    throw InputError("--resume " + env.resume + ": " + dir + " has no trainer_state/ (it is an exported model, not a "
                     "training checkpoint)");
  return dir;
}

std::string save_train_checkpoint(const RunContext& env, const std::string& name, std::int64_t step,
                                  const ModelBundle& bundle, const optim::AdamW& opt, Json state,
                                  const std::map<std::string, torch::Tensor>& extra, int keep_last) {
  if (!env.is_main()) return "";
  for (const auto& item : bundle.model->named_parameters())
    if (!torch::isfinite(item.value()).all().item<bool>())
      throw RuntimeFailure("[" + env.stage_name + "] step " + std::to_string(step) + ": parameter " + item.key() +
                           " holds NaN or Inf; refusing to write checkpoint " + name +
                           " (the previous checkpoint is intact)");
  CheckpointContent c = checkpoint_content(bundle, env.save_dtype);
  if (c.torch_dtype != "float32")  // lower-precision weights for users; the float32 masters for an exact resume
    for (const auto& [k, v] : bundle.model->named_weights()) c.trainer_tensors["master." + k] = v.detach();
  if (!state.is_object()) state = Json::object();
  state["step"] = step;
  state["optimizer_steps"] = opt.steps();
  state["stage"] = env.stage_name;
  state["kind"] = config::enum_name(env.stage_kind);
  state["config_hash"] = env.config_hash;
  state["config"] = env.resolved_config;
  c.trainer_state = state;
  for (const auto& [k, v] : opt.state_tensors()) c.trainer_tensors["optimizer." + k] = v.detach();
  for (const auto& [k, v] : extra) c.trainer_tensors["extra." + k] = v.detach();
  return save_checkpoint(env.stage_dir, name, c, keep_last);
}

RestoredState restore_train_checkpoint(const RunContext& env, const std::string& path, ModelBundle& bundle,
                                       optim::AdamW& opt) {
  LoadedCheckpoint ck = load_checkpoint(path, /*with_trainer_state=*/true);
  if (ck.trainer_state.is_null()) throw InputError(ck.path + ": no trainer_state/ to resume from");
  if (ck.tokenizer_files != bundle.tokenizer.files())
    throw InputError(ck.path + ": its tokenizer differs from the one this stage uses; cannot resume");
  bundle.model->load_weights(ck.weights, ck.path + "/model.safetensors");
  std::map<std::string, torch::Tensor> moments, extra, masters;
  for (const auto& [k, v] : ck.trainer_tensors) {
    if (k.rfind("optimizer.", 0) == 0) moments[k.substr(10)] = v;
    else if (k.rfind("extra.", 0) == 0) extra[k.substr(6)] = v;
    else if (k.rfind("master.", 0) == 0) masters[k.substr(7)] = v;
  }
  // A checkpoint saved in bfloat16 keeps the float32 master weights in its trainer state: resume from those.
  if (!masters.empty()) bundle.model->load_weights(masters, ck.path + "/trainer_state/tensors.safetensors");
  const Json& st = ck.trainer_state;
  auto need_int = [&](const char* key) -> std::int64_t {
    if (!st.contains(key) || !st[key].is_number_integer())
      throw InputError(ck.path + "/trainer_state/state.json: key \"" + key + "\": expected an integer, got " +
                       (st.contains(key) ? describe_json(st[key]) : std::string("nothing")));
    return st[key].get<std::int64_t>();
  };
  std::int64_t step = need_int("step");
  opt.load_state(moments, need_int("optimizer_steps"), ck.path + "/trainer_state/tensors.safetensors");
  if (st.contains("config_hash") && st["config_hash"].is_string() && st["config_hash"] != env.config_hash)
    logger()->warn("resuming {} from {} whose stage config differs (hash {} vs {}); continuing with the new config",
                   env.stage_name, ck.path, st["config_hash"].get<std::string>(), env.config_hash);
  RestoredState out;
  out.path = ck.path;
  out.step = step;
  out.state = st;
  out.tensors = std::move(extra);
  return out;
}

StepLog::StepLog(const RunContext& env, const std::string& file, std::int64_t resume_step, bool fresh)
    : enabled_(env.is_main()) {
  if (!enabled_) return;
  std::string path = (std::filesystem::path(env.stage_dir) / file).string();
  if (fresh) {
    writer_ = JsonlWriter(path, /*append=*/false);
  } else {
    truncate_jsonl_after(path, "step", static_cast<double>(resume_step));
    writer_ = JsonlWriter(path, /*append=*/true);
  }
}

void StepLog::write(const Json& row) {
  if (enabled_) writer_.write(row);
}

}  // namespace r1::train
