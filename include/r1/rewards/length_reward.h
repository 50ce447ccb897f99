// Length rewards, in completion tokens.
//   overlong (DAPO's soft overlong punishment, L_max = max_length, L_cache = buffer):
//     0 for |y| <= L_max - L_cache; ((L_max - L_cache) - |y|) / L_cache inside the buffer; -1 beyond L_max or
//     when the completion was truncated (it never finished).
//   cosine (Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning"): a cosine schedule over
//     t = |y| / max_length from the value at length 0 to the value at max_length — correct answers from
//     +1.0 down to +0.5 (shorter is better), wrong ones from -1.0 up to -0.5 (thinking longer is less bad);
//     -1 when truncated or longer than max_length.
#pragma once

namespace r1 {

struct CosineLengthParams {
  double correct_short = 1.0;   // correct answer at length 0
  double correct_long = 0.5;    // correct answer at max_length
  double wrong_short = -1.0;    // wrong answer at length 0
  double wrong_long = -0.5;     // wrong answer at max_length
  double exceeded = -1.0;       // truncated or beyond max_length
};

// max_length > 0, 0 <= buffer < max_length (InputError otherwise).
double overlong_penalty(int length, int max_length, int buffer, bool truncated);

double cosine_length_reward(int length, int max_length, bool correct, bool truncated,
                            const CosineLengthParams& params = {});

}  // namespace r1
