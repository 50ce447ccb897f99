// `r1 bench`: runs each benchmark case in a child process of the same binary (so each figure's peak RSS is
// that process's own, from wait4's ru_maxrss), then turns the raw samples into bench.json figures.
#pragma once
#include <string>
#include <vector>

#include "r1/bench/case_options.h"
#include "r1/io/jsonl.h"

namespace r1::bench {

struct BenchPlan {
  std::vector<std::string> presets = {"tiny", "small"};  // names (configs/models/<name>.yaml) or YAML paths
  std::vector<std::string> cases;                         // subset of case_names(); empty = all
  CaseOptions base;                                       // runs, threads, sizes (preset is set per case)
  std::string work_dir;                                   // scratch; "" = a fresh temp dir, removed after
  std::string executable;                                 // the r1 binary; "" = this process's own
  bool progress = true;                                   // one line per case on stderr
};

// Trains the benchmark tokenizer, runs the cases, returns the bench.json content (figures + raw samples).
// A failing case is a RuntimeFailure quoting the tail of its log.
Json run_benchmark(const BenchPlan& plan);

// The child side: runs `case_name` with the options in `options_file` (JSON written by run_benchmark) and
// writes the raw result to `result_file`.
void run_child_case(const std::string& case_name, const std::string& options_file, const std::string& result_file);

// CaseOptions <-> JSON (the file handed to a child).
Json case_options_json(const CaseOptions& o);
CaseOptions case_options_from_json(const Json& j);

}  // namespace r1::bench
