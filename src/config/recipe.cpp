// Recipe and stage-file loading: YAML -> typed stage configs, --set overrides, cross-stage checks, hashes.
#include "r1/config/recipe.h"

#include <cctype>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/strings.h"

namespace r1::config {

// ---- stage entries ---------------------------------------------------------------------------------

namespace {

// A stage config's `eval` switch, for the kinds that have one.
template <class T, class = void>
struct has_eval_flag : std::false_type {};
template <class T>
struct has_eval_flag<T, std::void_t<decltype(std::declval<const T&>().eval == true)>> : std::true_type {};

// The scalar at a dotted key path of a node ("" when absent or not a scalar).
std::string scalar_at(YAML::Node node, const std::string& dotted) {
  for (const auto& part : split(dotted, '.')) {
    if (!node.IsMap()) return "";
    node = node[part];
    if (!node.IsDefined()) return "";
  }
  return node.IsScalar() ? node.Scalar() : "";
}

}  // namespace

const std::string& StageEntry::name() const {
  return std::visit([](const auto& c) -> const std::string& { return c.name; }, config);
}
StageKind StageEntry::kind() const {
  return std::visit([](const auto& c) { return c.kind; }, config);
}
std::string StageEntry::input(const std::string& key) const { return scalar_at(write_custom(*this), key); }
bool StageEntry::wants_eval() const {
  if (!info().produces_model) return false;
  return std::visit(
      [](const auto& c) {
        if constexpr (has_eval_flag<std::decay_t<decltype(c)>>::value) return static_cast<bool>(c.eval);
        return false;
      },
      config);
}

bool read_custom(const YAML::Node& node, StageEntry& out, Problems& problems, const std::string& path) {
  if (!node.IsMap()) {
    problems.add(path, "expected a stage mapping (name, kind, ...), got " + describe_node(node));
    return false;
  }
  YAML::Node kind_node = node["kind"];
  if (!kind_node.IsDefined()) {
    problems.add(path, "missing required key \"kind\" (one of " + enum_choices<StageKind>() + ")");
    return false;
  }
  StageKind kind{};
  if (!parse_value(kind_node, kind)) {
    const std::string got = kind_node.IsScalar() ? kind_node.Scalar() : "";
    problems.add(join_path(path, "kind"), "expected one of " + enum_choices<StageKind>() + ", got " +
                                              describe_node(kind_node) +
                                              enum_hint(got, OneOf{enum_names<StageKind>()}));
    return false;
  }
  out.config = default_stage_config(kind);
  size_t before = problems.size();
  std::visit([&](auto& cfg) { read_struct(node, cfg, path, problems); }, out.config);
  return problems.size() == before;
}

YAML::Node write_custom(const StageEntry& entry) {
  return std::visit([](const auto& cfg) { return to_yaml(cfg); }, entry.config);
}

// ---- run settings and recipe ----------------------------------------------------------------------

void RunSettings::check(Problems& p, const std::string& path) const {
  bool ok = device == "cpu" || device == "cuda";
  if (starts_with(device, "cuda:")) {
    std::string idx = device.substr(5);
    ok = !idx.empty() && idx.size() < 4;
    for (char c : idx) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  }
  if (!ok) p.add(join_path(path, "device"), "expected cpu | cuda | cuda:N, got " + quote(device));
}

int Recipe::find(const std::string& name) const {
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].name() == name) return static_cast<int>(i);
  return -1;
}

namespace {

// The stage inputs that are set: (key, value) pairs, in the registry's order.
std::vector<std::pair<std::string, std::string>> stage_references(const StageEntry& entry) {
  std::vector<std::pair<std::string, std::string>> refs;
  for (const auto& in : entry.info().inputs) {
    std::string value = entry.input(in.key);
    if (!value.empty()) refs.emplace_back(in.key, value);
  }
  return refs;
}

// Inputs a stage cannot run without (checked for recipes and, after CLI flags, for single stages).
void check_required_inputs(const StageEntry& entry, Problems& p, const std::string& path) {
  for (const auto& in : entry.info().inputs)
    if (in.required && entry.input(in.key).empty())
      p.add(join_path(path, in.key), std::string("a ") + entry.kind_name() + " stage needs " + in.key + ": " +
                                         (in.type == InputType::kData ? "a dataset stage or JSONL path"
                                                                      : "a model stage or checkpoint path"));
  // A fresh distill student takes the teacher's tokenizer: it needs one of the two.
  if (entry.kind() == StageKind::kDistill && entry.input("init").empty() && entry.input("teacher").empty())
    p.add(join_path(path, "init"), "a distill stage needs init (the student checkpoint) or teacher (a fresh "
                                   "student takes the teacher's tokenizer); it has neither");
}

}  // namespace

std::string stage_name_problem(const std::string& name) {
  if (name.empty()) return "a stage needs a name (1-64 characters of letters, digits, '.', '-' and '_')";
  if (name.size() > kMaxStageNameLength)
    return "a stage name has at most " + std::to_string(kMaxStageNameLength) + " characters, got " +
           std::to_string(name.size()) + " (" + quote(name.substr(0, 20) + "...") + ")";
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return "expected letters, digits, '.', '-' and '_' only, got " + quote(name);
  if (name[0] == '.') return "a stage name cannot start with '.', got " + quote(name);
  return "";
}

namespace {

// Each `compare` entry is two different stages of the recipe that are evaluated (eval.json).
void check_compare(const Recipe& recipe, Problems& p, const std::string& path) {
  if (!recipe.compare) return;
  std::vector<std::string> names;
  for (const auto& s : recipe.stages) names.push_back(s.name());
  for (size_t i = 0; i < recipe.compare->size(); ++i) {
    const auto& pair = (*recipe.compare)[i];
    const std::string ipath = index_path(join_path(path, "compare"), i);
    if (pair.size() != 2) {
      p.add(ipath, "expected a pair [a, b] of stage names (the report shows a - b), got " +
                       std::to_string(pair.size()) + " names");
      continue;
    }
    if (pair[0] == pair[1]) p.add(ipath, "compares stage " + quote(pair[0]) + " with itself");
    for (size_t j = 0; j < 2; ++j) {
      const int idx = recipe.find(pair[j]);
      if (idx < 0) {
        std::string hint = closest_match(pair[j], names);
        p.add(index_path(ipath, j), "no stage named " + quote(pair[j]) +
                                        (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)") +
                                        "; stages: " + join(names, ", "));
      } else if (!recipe.stages[idx].wants_eval() && recipe.stages[idx].kind() != StageKind::kEval) {
        p.add(index_path(ipath, j), "stage " + quote(pair[j]) + " (" + recipe.stages[idx].kind_name() +
                                        ") is not evaluated: compare stages that produce eval.json");
      }
    }
  }
}

}  // namespace

void Recipe::check(Problems& p, const std::string& path) const {
  for (size_t i = 0; i < stages.size(); ++i) {
    std::string spath = index_path(join_path(path, "stages"), i);
    const std::string& name = stages[i].name();
    std::string name_problem = stage_name_problem(name);
    if (!name_problem.empty()) p.add(join_path(spath, "name"), name_problem);
    for (size_t j = 0; j < i; ++j)
      if (!name.empty() && stages[j].name() == name) p.add(join_path(spath, "name"), "duplicate stage name " + quote(name));
    check_required_inputs(stages[i], p, spath);
    std::vector<std::string> earlier;
    for (size_t j = 0; j < i; ++j) earlier.push_back(stages[j].name());
    for (const auto& [key, value] : stage_references(stages[i])) {
      int idx = find(value);
      if (idx >= 0 && static_cast<size_t>(idx) >= i) {
        p.add(join_path(spath, key), "stage " + quote(value) + " runs later (stages[" + std::to_string(idx) +
                                         "]); a stage can only use earlier stages");
      } else if (std::error_code ec; idx < 0 && !std::filesystem::exists(value, ec)) {
        std::string hint = closest_match(value, earlier);
        p.add(join_path(spath, key), quote(value) + " is neither an earlier stage of this recipe" +
                                         (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)") +
                                         " nor an existing path");
      }
    }
  }
  check_compare(*this, p, path);
}

// ---- overrides --------------------------------------------------------------------------------------

Override parse_override(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + quote(text) + ": expected key.path=value");
  return {trim(text.substr(0, eq)), text.substr(eq + 1)};
}

namespace {
struct Segment {
  std::string key;  // map key (or stage name)
  long index = -1;  // list index when >= 0
};

std::vector<Segment> parse_path(const std::string& path) {
  std::vector<Segment> out;
  for (const auto& part : split(path, '.')) {
    std::string rest = part;
    size_t br = rest.find('[');
    std::string key = rest.substr(0, br);
    if (key.empty() && br != 0) throw InputError("--set " + quote(path) + ": empty key in path");
    if (!key.empty()) out.push_back({key, -1});
    while (br != std::string::npos) {
      size_t close = rest.find(']', br);
      if (close == std::string::npos) throw InputError("--set " + quote(path) + ": unbalanced [ in path");
      std::string idx = rest.substr(br + 1, close - br - 1);
      char* end = nullptr;
      long v = std::strtol(idx.c_str(), &end, 10);
      if (idx.empty() || *end != '\0' || v < 0) throw InputError("--set " + quote(path) + ": bad list index " + quote(idx));
      out.push_back({"", v});
      br = rest.find('[', close);
    }
  }
  return out;
}
}  // namespace

void apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, Problems& problems) {
  for (const auto& ov : overrides) {
    auto segments = parse_path(ov.path);
    if (segments.empty()) throw InputError("--set " + quote(ov.path) + ": empty key path");
    YAML::Node node;
    node.reset(root);
    std::string canonical;
    for (size_t s = 0; s < segments.size(); ++s) {
      const Segment& seg = segments[s];
      bool last = s + 1 == segments.size();
      YAML::Node next;
      if (seg.index >= 0) {
        if (!node.IsSequence() || static_cast<size_t>(seg.index) >= node.size())
          throw InputError("--set " + ov.path + ": " + (canonical.empty() ? "value" : canonical) +
                           " has no element [" + std::to_string(seg.index) + "]");
        next.reset(node[static_cast<size_t>(seg.index)]);
        canonical = index_path(canonical, static_cast<size_t>(seg.index));
      } else if (node.IsSequence()) {
        // A list of named mappings (stages) addressed by name.
        long found = -1;
        std::vector<std::string> names;
        for (size_t i = 0; i < node.size(); ++i) {
          if (node[i].IsMap() && node[i]["name"].IsScalar()) {
            names.push_back(node[i]["name"].Scalar());
            if (names.back() == seg.key) found = static_cast<long>(i);
          }
        }
        if (found < 0) {
          std::string hint = closest_match(seg.key, names);
          throw InputError("--set " + ov.path + ": no stage named " + quote(seg.key) +
                           (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + "; stages: " + join(names, ", "));
        }
        next.reset(node[static_cast<size_t>(found)]);
        canonical = index_path(canonical, static_cast<size_t>(found));
      } else {
        if (!node.IsMap() && !node.IsNull())
          throw InputError("--set " + ov.path + ": " + canonical + " is not a mapping (it is " + describe_node(node) + ")");
        if (!last && !node[seg.key].IsDefined()) node[seg.key] = YAML::Node(YAML::NodeType::Map);
        next.reset(node[seg.key]);
        canonical = join_path(canonical, seg.key);
      }
      if (last) {
        YAML::Node value;
        try {
          value = YAML::Load(ov.value);
        } catch (const YAML::Exception&) {
          value = YAML::Node(ov.value);
        }
        if (value.IsNull() && !ov.value.empty() && ov.value != "~" && ov.value != "null") value = YAML::Node(ov.value);
        if (seg.index >= 0 || node.IsSequence()) {
          next = value;  // assigns into the list element
        } else {
          node[seg.key] = value;
        }
        problems.mark_overridden(canonical);
      }
      node.reset(next);
    }
  }
}

// ---- loading ----------------------------------------------------------------------------------------

Recipe parse_recipe(const YAML::Node& input, const std::string& source, const std::vector<Override>& overrides) {
  YAML::Node root = YAML::Clone(input);
  Problems problems(source);
  apply_overrides(root, overrides, problems);
  Recipe recipe;
  recipe.source = source;
  read_struct(root, recipe, "", problems);
  problems.throw_if_any();
  return recipe;
}

Recipe load_recipe(const std::string& path, const std::vector<Override>& overrides) {
  return parse_recipe(load_yaml_file(path), path, overrides);
}

StageFile parse_stage_file(YAML::Node input, const std::string& source, StageKind kind,
                           const std::vector<Override>& overrides) {
  const std::string kind_name = enum_name(kind);
  YAML::Node root = YAML::Clone(input);
  Problems problems(source);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    problems.add("", "expected a mapping of stage settings, got " + describe_node(root));
    problems.throw_if_any();
  }
  apply_overrides(root, overrides, problems);
  if (!root["kind"].IsDefined()) root["kind"] = kind_name;
  if (!root["name"].IsDefined()) root["name"] = kind_name;
  if (root["kind"].IsScalar() && root["kind"].Scalar() != kind_name) {
    problems.add("kind", "this file is a " + quote(root["kind"].Scalar()) + " stage, but the command runs " + kind_name);
    problems.throw_if_any();
  }
  // Split run-wide keys from stage keys.
  YAML::Node run_node(YAML::NodeType::Map), stage_node(YAML::NodeType::Map);
  const std::vector<std::string> run_keys = field_names<RunSettings>();
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string key = it->first.as<std::string>();
    bool is_run = false;
    for (const auto& k : run_keys) is_run = is_run || (k == key);
    // `eval` is both a run key (settings) and a stage flag (bool); a mapping means the settings.
    if (key == "eval" && it->second.IsScalar()) is_run = false;
    (is_run ? run_node : stage_node)[key] = it->second;
  }
  StageFile out;
  read_struct(run_node, out.run, "", problems);
  read_custom(stage_node, out.stage, problems, "");
  if (problems.empty()) check_required_inputs(out.stage, problems, "");
  problems.throw_if_any();
  return out;
}

StageFile load_stage_file(const std::string& path, StageKind kind, const std::vector<Override>& overrides) {
  return parse_stage_file(load_yaml_file(path), path, kind, overrides);
}

std::optional<RunnableFile> validate_file(const std::string& path, const std::vector<Override>& overrides) {
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) {
    Problems p(path);
    p.add("", "expected a mapping (a recipe, a stage config, a model config or a rewards list), got " +
                  describe_node(root));
    p.throw_if_any();
  }
  if (root["stages"].IsDefined()) {
    return RunnableFile{parse_recipe(root, path, overrides), false};
  } else if (root["kind"].IsDefined() && root["kind"].IsScalar()) {
    StageKind kind{};
    if (!parse_value(root["kind"], kind)) {
      Problems p(path);
      p.add("kind", "expected one of " + enum_choices<StageKind>() + ", got " + quote(root["kind"].Scalar()) +
                        enum_hint(root["kind"].Scalar(), OneOf{enum_names<StageKind>()}));
      p.throw_if_any();
    }
    StageFile f = parse_stage_file(root, path, kind, overrides);
    Recipe r;
    r.source = path;
    r.run = f.run;
    r.stages.push_back(f.stage);
    return RunnableFile{r, true};
  }
  if (!overrides.empty()) {
    Problems p(path);
    p.add("", "--set applies to recipes and stage configs; this file has neither `stages` nor `kind`");
    p.throw_if_any();
  }
  if (root["rewards"].IsDefined()) {
    Problems p(path);
    std::vector<RewardSpec> rewards;
    FieldReader reader(root, "", p);
    reader("rewards", rewards, NonEmpty{});
    reader.finish();
    if (p.empty()) check_rewards(rewards, p, "rewards");
    p.throw_if_any();
  } else if (root["hidden_size"].IsDefined() || root["num_hidden_layers"].IsDefined()) {
    load_model_config(path);
  } else {
    Problems p(path);
    p.add("", "cannot tell what this file is: a recipe has `stages`, a stage config `kind`, a rewards file "
              "`rewards`, a model config `hidden_size`");
    p.throw_if_any();
  }
  return std::nullopt;
}

namespace {

// The entries of mapping `node` whose values differ from those of `defaults` (recursing into mappings both hold;
// lists and scalars compare whole). Keys in `always` are kept whatever their value.
YAML::Node non_default_entries(const YAML::Node& node, const YAML::Node& defaults,
                               const std::vector<std::string>& always = {}) {
  YAML::Node out(YAML::NodeType::Map);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    const YAML::Node value = it->second;
    const YAML::Node base = defaults.IsMap() ? defaults[key] : YAML::Node();
    if (std::find(always.begin(), always.end(), key) != always.end() || !base.IsDefined()) {
      out[key] = value;
    } else if (value.IsMap() && base.IsMap()) {
      YAML::Node diff = non_default_entries(value, base);
      if (diff.size() > 0) out[key] = diff;
    } else if (emit_yaml(value) != emit_yaml(base)) {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace

std::string hashed_config_text(const StageEntry& stage, const RunSettings& run) {
  StageEntry defaults{default_stage_config(stage.kind())};
  YAML::Node node(YAML::NodeType::Map);
  node["stage"] = non_default_entries(write_custom(stage), write_custom(defaults), {"name", "kind"});
  node["seed"] = run.seed;
  if (run.dtype != RunSettings{}.dtype) node["dtype"] = write_value(run.dtype);
  if (run.save_dtype != RunSettings{}.save_dtype) node["save_dtype"] = write_value(run.save_dtype);
  return emit_yaml(node);
}

std::string config_hash(const StageEntry& stage, const RunSettings& run) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(fnv1a64(hashed_config_text(stage, run))));
  return buf;
}

}  // namespace r1::config
