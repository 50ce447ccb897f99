// Reward list checks: per-reward options and no duplicates.
#include "r1/config/reward_config.h"

#include "r1/util/strings.h"

namespace r1::config {

namespace {
std::vector<std::string> modes_for(const std::string& name) {
  if (name == "format") return {"strict", "soft"};
  if (name == "accuracy") return {"exact", "tinyzero"};
  if (name == "length") return {"overlong", "cosine"};
  return {};
}
}  // namespace

std::string RewardSpec::effective_mode() const {
  if (!mode.empty()) return mode;
  auto modes = modes_for(name);
  return modes.empty() ? std::string() : modes.front();
}

void RewardSpec::check(Problems& p, const std::string& path) const {
  auto modes = modes_for(name);
  if (!mode.empty()) {
    if (modes.empty()) {
      p.add(join_path(path, "mode"), "the " + name + " reward has no modes, got " + quote(mode));
    } else {
      bool ok = false;
      for (const auto& m : modes) ok = ok || m == mode;
      if (!ok) p.add(join_path(path, "mode"), "expected one of " + join(modes, "|") + " for the " + name +
                                                  " reward, got " + quote(mode) + enum_hint(mode, OneOf{modes}));
    }
  }
  if (name == "length") {
    if (max_length <= 0) p.add(join_path(path, "max_length"), "the length reward needs max_length > 0 (tokens), got " +
                                                                   std::to_string(max_length));
    else if (buffer >= max_length)
      p.add(join_path(path, "buffer"), "must be smaller than max_length (" + std::to_string(buffer) +
                                           " >= " + std::to_string(max_length) + ")");
  }
}

void check_rewards(const std::vector<RewardSpec>& rewards, Problems& p, const std::string& path) {
  for (size_t i = 0; i < rewards.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (rewards[i].name == rewards[j].name)
        p.add(join_path(index_path(path, i), "name"), "duplicate reward " + quote(rewards[i].name) +
                                                          " (also rewards[" + std::to_string(j) + "])");
}

std::vector<RewardSpec> load_rewards_file(const std::string& path) {
  YAML::Node root = load_yaml_file(path);
  Problems p(path);
  std::vector<RewardSpec> rewards;
  if (!root.IsMap()) {
    p.add("", "expected a mapping with a `rewards` list, got " + describe_node(root));
    p.throw_if_any();
  }
  FieldReader reader(root, "", p);
  reader("rewards", rewards, NonEmpty{}, Required{});
  reader.finish();
  if (p.empty()) check_rewards(rewards, p, "rewards");
  p.throw_if_any();
  return rewards;
}

}  // namespace r1::config
