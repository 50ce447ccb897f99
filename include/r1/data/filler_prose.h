// Filler prose for the base-model corpus: short sentences over a small closed vocabulary in English or
// Spanish — simple scenes ("The small cat sleeps in the park.") and counting stories with number words
// whose arithmetic is right ("Ana has seven apples. She gets three more. Now she has ten apples.").
#pragma once
#include <string>

#include "r1/util/rng.h"

namespace r1 {

// 3 to 6 sentences in `language` (en | es), one paragraph.
std::string filler_prose(Rng& rng, const std::string& language);

}  // namespace r1
