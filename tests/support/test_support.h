// Shared helpers for tests: temp dirs, a small trained tokenizer, tiny model configs, running the r1 binary.
#pragma once
#include <string>
#include <vector>

#include "r1/config/model_config.h"
#include "r1/tokenizer/tokenizer.h"

namespace r1::test {

// A fresh empty directory under the system temp dir, removed when the process exits.
std::string temp_dir(const std::string& tag);

// A SentencePiece tokenizer (vocab ~300, byte fallback, reasoning tags) trained once per process on a small
// synthetic corpus; its directory holds tokenizer.model.
const Tokenizer& tiny_tokenizer();
const std::string& tiny_tokenizer_dir();

// A ~30k-parameter model shape for fast tests (GQA: 4 heads, 2 kv heads).
config::ModelConfig micro_model_config();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
// Runs the built r1 binary with `args` (a shell-quoted string) and captures its output.
CommandResult run_r1(const std::string& args);
// Runs an arbitrary shell command and captures its output.
CommandResult run_shell(const std::string& command);

// The ../shared directory; fails the test loudly if it is missing.
std::string shared_dir();

// The source checkout (configs/, recipes/, tests/data/).
std::string source_dir();
// Runs the r1 binary from the source checkout, where recipes find configs/ by relative paths.
CommandResult run_r1_in_source(const std::string& args);

// Writes a freshly initialised model of shape `cfg` with the tiny tokenizer as a checkpoint without
// trainer_state (the Hugging Face layout: config.json, model.safetensors, tokenizer.model) to `dir`.
void write_fresh_checkpoint(const std::string& dir, const config::ModelConfig& cfg, std::uint64_t seed);

// A file's bytes ("" when missing).
std::string file_bytes(const std::string& path);
// Lines of a JSONL file with the wall-clock keys (seconds, throughput) removed: what two runs of the same
// seed must reproduce exactly. Values are kept as their dumped JSON text.
std::vector<std::string> deterministic_rows(const std::string& path);
// Checks (CHECK) that a stage directory holds nothing a consumer could mistake for a result: no DONE, final/,
// latest, data files, eval.json, step checkpoint or temporary file (the directory may be missing).
void require_no_result(const std::string& stage_dir);

}  // namespace r1::test
