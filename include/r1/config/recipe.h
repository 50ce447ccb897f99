// A recipe: run-wide settings plus an ordered list of stages, each parsed by its kind.
// Also the single-stage config files used by `r1 <stage-kind> --config FILE`.
#pragma once
#include "r1/config/stage_registry.h"

namespace r1::config {

struct StageEntry {
  StageVariant config;
  const std::string& name() const;
  StageKind kind() const;
  const char* kind_name() const { return enum_name(kind()); }
  const StageKindInfo& info() const { return stage_kind_info(kind()); }
  // The value of one of the kind's inputs (a key of info().inputs, e.g. "init", "tokenizer.path"); "" when unset.
  std::string input(const std::string& key) const;
  // Whether the stage's model is evaluated on the recipe's eval set: the kind produces one and `eval` is on.
  bool wants_eval() const;
};
bool read_custom(const YAML::Node& node, StageEntry& out, Problems& problems, const std::string& path);
YAML::Node write_custom(const StageEntry& entry);

// Run-wide settings (shared by a recipe and single-stage runs).
struct RunSettings {
  std::string run_dir = "runs/default";  // every stage writes run_dir/<stage name>/
  std::uint64_t seed = 1234;
  std::string device = "cpu";          // cpu | cuda | cuda:N
  int threads = 0;                     // 0 = all cores
  ComputeDtype dtype = ComputeDtype::kFloat32;  // float32 | bfloat16
  SaveDtype save_dtype = SaveDtype::kAuto;      // auto (the input model's) | float32 | bfloat16
  bool activation_checkpointing = false;        // recompute each decoder layer in the backward (less memory)
  EvalSettings eval;                   // the held-out eval set every model stage is evaluated on
  template <class V>
  void visit(V& v) {
    v("run_dir", run_dir, NonEmpty{});
    v("seed", seed);
    v("device", device);
    v("threads", threads, Min{0});
    v("dtype", dtype);
    v("save_dtype", save_dtype);
    v("activation_checkpointing", activation_checkpointing);
    v("eval", eval);
  }
  void check(Problems& p, const std::string& path) const;
};

struct Recipe {
  std::string source;                  // file it was read from
  RunSettings run;
  std::vector<StageEntry> stages;
  // Pairs [a, b] of evaluated stages whose paired differences a - b the report prints (with 95% intervals);
  // absent: the R1 findings among this recipe's stages (stages/comparisons.h).
  std::optional<std::vector<std::vector<std::string>>> compare;

  template <class V>
  void visit(V& v) {
    run.visit(v);
    v("stages", stages, NonEmpty{}, Required{});
    v("compare", compare);
  }
  void check(Problems& p, const std::string& path) const;

  // Index of the stage with this name, or -1.
  int find(const std::string& name) const;
};

// Stage names become directory names under run_dir: 1-64 characters of [A-Za-z0-9._-], not starting with '.'.
constexpr size_t kMaxStageNameLength = 64;
// "" when `name` is a valid stage name, else what is wrong with it.
std::string stage_name_problem(const std::string& name);

// One `--set key=value` override. Paths: "a.b.c", "list[2].key", and for recipes "stages.NAME.key".
struct Override {
  std::string path;
  std::string value;   // parsed as YAML (so lists and numbers work)
};
// Parses "a.b=c"; throws InputError naming the option when malformed.
Override parse_override(const std::string& text);
// Applies overrides to a YAML tree (creating keys as needed) and marks their paths in `problems`.
void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, Problems& problems);

// Loads, overrides and validates a recipe; throws ConfigError listing every problem.
Recipe load_recipe(const std::string& path, const std::vector<Override>& overrides = {});
Recipe parse_recipe(const YAML::Node& root, const std::string& source, const std::vector<Override>& overrides = {});

// A single-stage config file: the stage's keys plus optional run-wide keys (seed, device, threads, dtype,
// eval, run_dir). `kind` is the subcommand's stage kind; the file may omit `kind` and `name`.
struct StageFile {
  RunSettings run;
  StageEntry stage;
};
StageFile load_stage_file(const std::string& path, StageKind kind, const std::vector<Override>& overrides = {});
StageFile parse_stage_file(YAML::Node root, const std::string& source, StageKind kind,
                           const std::vector<Override>& overrides = {});

// Validates a file that is either a recipe (has `stages`), a model config, a rewards list, or a single-stage config
// (has `kind`); throws ConfigError with every problem. Returns what a run would run: the recipe, or a one-stage
// recipe for a stage config (source = the file); nullopt for model configs and rewards lists. `overrides` (--set)
// apply to recipes and stage configs as `r1 run` and the stage commands apply them; given for another kind of file
// they are a problem of that file.
struct RunnableFile {
  Recipe recipe;
  bool stage_file = false;  // a single-stage config: its keys sit at the top, not under stages[0]
};
std::optional<RunnableFile> validate_file(const std::string& path, const std::vector<Override>& overrides = {});

// Stable hash (hex) of a stage's resolved config, as written in DONE: the hash of hashed_config_text.
std::string config_hash(const StageEntry& stage, const RunSettings& run);
// The text config_hash hashes: the stage's name and kind, every key of its resolved config whose value differs
// from the kind's default, the seed, and the dtype when it is not the default. A key added to r1 with a default
// therefore leaves the hashes of existing runs unchanged, so a run resumed with a newer r1 still skips the stages
// it finished.
std::string hashed_config_text(const StageEntry& stage, const RunSettings& run);
// Version of the hashing scheme, written in DONE ("hash_scheme"): a DONE from another scheme cannot be compared.
constexpr int kConfigHashScheme = 2;

}  // namespace r1::config
