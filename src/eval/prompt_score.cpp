// Per-prompt eval tallies: JSON in and out, per-prompt metric values.
#include "r1/eval/prompt_score.h"

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::eval {

Json PromptScore::to_json() const {
  return Json{{"id", id}, {"n", n}, {"correct", correct}, {"formatted", formatted}, {"language", language}};
}

const std::vector<std::string>& paired_metrics() {
  static const std::vector<std::string> names = {"pass@1", "format_rate", "language_consistency"};
  return names;
}

double prompt_metric(const PromptScore& score, const std::string& metric) {
  const double n = score.n > 0 ? static_cast<double>(score.n) : 1.0;
  if (metric == "pass@1") return score.correct / n;
  if (metric == "format_rate") return score.formatted / n;
  if (metric == "language_consistency") return score.language;
  throw RuntimeFailure("prompt_metric: no per-prompt metric " + quote(metric));
}

namespace {

// An integer entry key in [lo, hi] of per_prompt[i].
int score_integer(const Json& entry, const char* key, int lo, int hi, const std::string& where) {
  const Json& v = entry.contains(key) ? entry[key] : Json(nullptr);
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi)
    throw InputError(where + "." + key + ": expected an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got " + (entry.contains(key) ? describe_json(v) : "nothing"));
  return v.get<int>();
}

}  // namespace

std::vector<PromptScore> prompt_scores_from_json(const Json& eval, const std::string& source) {
  std::vector<PromptScore> out;
  if (!eval.is_object() || !eval.contains("per_prompt")) return out;
  const Json& list = eval["per_prompt"];
  if (!list.is_array()) throw InputError(source + ": per_prompt: expected a list, got " + describe_json(list));
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& e = list[i];
    const std::string where = source + ": per_prompt[" + std::to_string(i) + "]";
    if (!e.is_object()) throw InputError(where + ": expected an object, got " + describe_json(e));
    PromptScore s;
    if (!e.contains("id") || !e["id"].is_string())
      throw InputError(where + ".id: expected a string, got " + (e.contains("id") ? describe_json(e["id"]) : "nothing"));
    s.id = e["id"].get<std::string>();
    s.n = score_integer(e, "n", 1, 1 << 30, where);
    s.correct = score_integer(e, "correct", 0, s.n, where);
    s.formatted = score_integer(e, "formatted", 0, s.n, where);
    if (!e.contains("language") || !e["language"].is_number() || !(e["language"].get<double>() >= 0.0) ||
        e["language"].get<double>() > 1.0)
      throw InputError(where + ".language: expected a number in [0, 1], got " +
                       (e.contains("language") ? describe_json(e["language"]) : "nothing"));
    s.language = e["language"].get<double>();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace r1::eval
