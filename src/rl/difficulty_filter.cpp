// Online pass-rate filtering of GRPO prompts.
#include "r1/rl/difficulty_filter.h"

#include <cmath>
#include <string>

#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1::rl {

bool DifficultyFilter::eligible(size_t prompt) const {
  if (!enabled()) return true;
  auto it = history_.find(prompt);
  if (it == history_.end() || it->second.empty()) return true;
  double sum = 0;
  for (double r : it->second) sum += r;
  const double mean = sum / static_cast<double>(it->second.size());
  return mean >= cfg_.min_pass_rate && mean <= cfg_.max_pass_rate;
}

void DifficultyFilter::record(size_t prompt, double pass_rate) {
  if (!enabled()) return;
  auto& h = history_[prompt];
  h.push_back(pass_rate);
  while (h.size() > static_cast<size_t>(cfg_.window)) h.pop_front();
}

std::vector<size_t> DifficultyFilter::draw(EpochCursor& cursor, size_t k, size_t& skipped) const {
  skipped = 0;
  if (!enabled()) return cursor.next(k);
  std::vector<size_t> out;
  while (out.size() < k) {
    const size_t i = cursor.next(1)[0];
    if (eligible(i)) {
      out.push_back(i);
      continue;
    }
    if (++skipped >= cursor.size())
      throw InputError("prompts.filter: a whole pass over the " + std::to_string(cursor.size()) +
                       " prompts found only " + std::to_string(out.size()) + " of the " + std::to_string(k) +
                       " needed with a recent pass rate in [" + format_number(cfg_.min_pass_rate) + ", " +
                       format_number(cfg_.max_pass_rate) + "]; widen min_pass_rate / max_pass_rate, shorten "
                       "window, or lower grpo.prompts_per_step");
  }
  return out;
}

Json DifficultyFilter::state() const {
  Json out = Json::object();
  for (const auto& [prompt, rates] : history_)
    out[std::to_string(prompt)] = Json(std::vector<double>(rates.begin(), rates.end()));
  return out;
}

void DifficultyFilter::restore(const Json& state) {
  history_.clear();
  if (!state.is_object())
    throw InputError("trainer_state: prompt_filter: expected an object of pass-rate lists, got " +
                     describe_json(state));
  for (const auto& [key, rates] : state.items()) {
    size_t used = 0;
    unsigned long long prompt = 0;
    try {
      prompt = std::stoull(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != key.size() || !rates.is_array())
      throw InputError("trainer_state: prompt_filter: expected \"<prompt index>\": [pass rates], got " + quote(key) +
                       ": " + describe_json(rates));
    auto& h = history_[static_cast<size_t>(prompt)];
    for (const auto& r : rates) {
      if (!r.is_number() || !std::isfinite(r.get<double>()))
        throw InputError("trainer_state: prompt_filter: prompt " + key + ": expected numbers, got " +
                         describe_json(r));
      h.push_back(r.get<double>());
    }
  }
}

}  // namespace r1::rl
