// Reward list: each entry names a reward function, its weight and its options.
#pragma once
#include "r1/config/fields.h"

namespace r1::config {

inline const std::vector<std::string> kRewardNames = {"accuracy", "format", "language", "length"};

struct RewardSpec {
  std::string name;                 // accuracy | format | language | length
  double weight = 1.0;
  std::string mode;                 // format: strict | soft;  accuracy: exact | tinyzero;  length: overlong | cosine
  std::string language = "prompt";  // language: target language (en | es | prompt = the prompt's own)
  int max_length = 0;               // length: L_max in completion tokens (overlong: hard limit; cosine: scale)
  int buffer = 0;                   // length/overlong: soft penalty zone before max_length (DAPO L_cache)

  template <class V>
  void visit(V& v) {
    v("name", name, OneOf{kRewardNames}, Required{});
    v("weight", weight);
    v("mode", mode);
    v("language", language, OneOf{{"prompt", "en", "es"}});
    v("max_length", max_length, Min{0});
    v("buffer", buffer, Min{0});
  }
  void check(Problems& p, const std::string& path) const;
  // The mode after defaults ("strict" for format, "exact" for accuracy, "overlong" for length).
  std::string effective_mode() const;
};

// Checks a reward list as a whole (no duplicate names).
void check_rewards(const std::vector<RewardSpec>& rewards, Problems& p, const std::string& path);

// Reads a rewards file (`rewards: [ {name: accuracy, weight: 1}, ... ]`, used by `r1 reward`); throws
// ConfigError listing every problem ("file: rewards[1].mode: ...").
std::vector<RewardSpec> load_rewards_file(const std::string& path);

}  // namespace r1::config
