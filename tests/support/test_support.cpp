// Shared test helpers.
#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "r1/io/checkpoint.h"
#include "r1/io/jsonl.h"
#include "r1/train/model_bundle.h"

namespace r1::test {

namespace fs = std::filesystem;

namespace {
struct TempRoot {
  fs::path root;
  TempRoot() {
    root = fs::temp_directory_path() / ("r1_tests_" + std::to_string(::getpid()));
    fs::create_directories(root);
  }
  ~TempRoot() {
    std::error_code ec;
    if (!std::getenv("R1_KEEP_TEST_FILES")) fs::remove_all(root, ec);
  }
};
TempRoot& temp_root() {
  static TempRoot r;
  return r;
}
}  // namespace

std::string temp_dir(const std::string& tag) {
  static int counter = 0;
  fs::path p = temp_root().root / (tag + "_" + std::to_string(++counter));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

const std::string& tiny_tokenizer_dir() {
  static std::string dir = [] {
    std::string d = temp_dir("tokenizer");
    std::string corpus = d + "/corpus.txt";
    std::ofstream out(corpus);
    const char* words[] = {"first", "then", "so", "the", "answer", "is", "add", "and", "to", "get", "primero",
                           "luego", "entonces", "la", "respuesta", "es", "suma", "y", "para", "obtener",
                           "What", "User", "Assistant", "A", "conversation", "between", "plus", "minus", "times"};
    unsigned x = 12345;
    for (int line = 0; line < 3000; ++line) {
      for (int w = 0; w < 12; ++w) {
        x = x * 1103515245u + 12345u;
        out << words[(x >> 16) % (sizeof(words) / sizeof(words[0]))] << ' ' << ((x >> 8) % 100) << ' ';
        if (w % 4 == 3) out << "<think> + - * / = ( ) </think> <answer> . , ? : </answer> ";
      }
      out << "\n";
    }
    out.close();
    config::TokenizerConfig cfg;
    cfg.vocab_size = 400;
    train_tokenizer(corpus, cfg, d);
    return d;
  }();
  return dir;
}

const Tokenizer& tiny_tokenizer() {
  static Tokenizer tok = Tokenizer::load(tiny_tokenizer_dir());
  return tok;
}

config::ModelConfig micro_model_config() {
  config::ModelConfig c;
  c.hidden_size = 32;
  c.intermediate_size = 64;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.num_key_value_heads = 2;
  c.max_position_embeddings = 128;
  c.tie_word_embeddings = true;
  return c;
}

CommandResult run_shell(const std::string& command) {
  CommandResult r;
  std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

CommandResult run_r1(const std::string& args) { return run_shell(std::string(R1_BINARY) + " " + args); }

std::string shared_dir() {
  std::string dir = R1_SHARED_DIR;
  if (!fs::is_directory(dir)) FAIL("the shared directory " << dir << " is missing: tests need ../shared beside the checkout");
  return dir;
}

std::string source_dir() { return R1_SOURCE_DIR; }

CommandResult run_r1_in_source(const std::string& args) {
  return run_shell("cd '" + source_dir() + "' && '" + std::string(R1_BINARY) + "' " + args);
}

void write_fresh_checkpoint(const std::string& dir, const config::ModelConfig& cfg, std::uint64_t seed) {
  auto bundle = train::fresh_model(cfg, tiny_tokenizer(), seed, torch::kCPU);
  fs::path p(dir);
  save_checkpoint(p.parent_path().string(), p.filename().string(), train::checkpoint_content(bundle), 0);
  REQUIRE(is_complete_checkpoint(dir));
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> deterministic_rows(const std::string& path) {
  std::vector<std::string> out;
  for (auto row : read_jsonl(path)) {
    for (const char* key : {"tokens_per_s", "rollout_s", "logprob_s", "train_s", "step_s", "seconds", "wall_s"})
      row.erase(key);
    out.push_back(row.dump());
  }
  return out;
}

void require_no_result(const std::string& stage_dir) {
  namespace fs = std::filesystem;
  for (const char* name : {"DONE", "final", "latest", "data.jsonl", "data_summary.json", "eval.json"}) {
    INFO(stage_dir << "/" << name);
    CHECK_FALSE(fs::exists(fs::path(stage_dir) / name));
  }
  if (!fs::exists(stage_dir)) return;
  for (const auto& e : fs::directory_iterator(stage_dir)) {
    INFO(e.path());
    CHECK(e.path().filename().string().rfind("checkpoint-", 0) != 0);
    CHECK(e.path().filename().string().rfind(".tmp", 0) != 0);
  }
}

}  // namespace r1::test
