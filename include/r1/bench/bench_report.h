// bench.json figures from the raw samples of the cases, the targets (issues 9 and 24), and the readable table.
#pragma once
#include <string>

#include "r1/io/jsonl.h"

namespace r1::bench {

// Adds "gemm", "presets" (train, packing, decode, grpo figures per preset) and "targets" to `bench`, computed
// from bench["raw"] (keys "gemm" and "<case>/<preset>", each {"result": ..., "peak_rss_mb": ...}).
void compute_figures(Json& bench);

// The figures as a Markdown table (figure rows x preset columns, "median [min, max]"), then the targets.
std::string render_table(const Json& bench);

}  // namespace r1::bench
