// DAPO overlong penalty and cosine length scaling.
#include "r1/rewards/length_reward.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "r1/util/error.h"

namespace r1 {

double overlong_penalty(int length, int max_length, int buffer, bool truncated) {
  if (max_length <= 0 || buffer < 0 || buffer >= max_length)
    throw InputError("length reward: need max_length > 0 and 0 <= buffer < max_length, got max_length " +
                     std::to_string(max_length) + ", buffer " + std::to_string(buffer));
  if (truncated || length > max_length) return -1.0;
  int expected = max_length - buffer;
  if (length <= expected) return 0.0;
  return static_cast<double>(expected - length) / buffer;
}

double cosine_length_reward(int length, int max_length, bool correct, bool truncated,
                            const CosineLengthParams& params) {
  if (max_length <= 0) throw InputError("length reward: need max_length > 0, got " + std::to_string(max_length));
  if (truncated || length > max_length) return params.exceeded;
  double t = static_cast<double>(std::max(length, 0)) / max_length;
  double start = correct ? params.correct_short : params.wrong_short;
  double end = correct ? params.correct_long : params.wrong_long;
  const double pi = std::acos(-1.0);
  return end + 0.5 * (start - end) * (1.0 + std::cos(pi * t));
}

}  // namespace r1
