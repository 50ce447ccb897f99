// Data-parallel runs of the r1 binary on Gloo over 127.0.0.1: 2 ranks train like 1 process with the same global
// batch (SFT through scripts/launch-local.sh, GRPO through torchrun), replicas stay identical after every update
// (R1_DIST_CHECK_SYNC), only rank 0 writes, and a rank that stops answering ends the run with a clear error.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "r1/io/checkpoint.h"
#include "r1/io/jsonl.h"
#include "r1/train/model_bundle.h"
#include "../support/test_support.h"

using namespace r1;
namespace fs = std::filesystem;

namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A freshly initialised micro model with the test tokenizer, saved as a checkpoint dir.
std::string micro_checkpoint(const std::string& dir) {
  auto bundle = train::fresh_model(test::micro_model_config(), test::tiny_tokenizer(), 21, torch::kCPU);
  return save_checkpoint(dir, "init", train::checkpoint_content(bundle), 0);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// 48 arithmetic prompt/completion pairs in the test tokenizer's vocabulary.
std::string sft_data(const std::string& dir) {
  std::string path = dir + "/sft.jsonl", body;
  for (int i = 0; i < 48; ++i) {
    int a = (i * 7) % 13 + 1, b = (i * 5) % 11 + 2;
    std::string answer = i % 3 == 0 ? std::to_string(a * b) : std::to_string(a + b);
    std::string op = i % 3 == 0 ? "times" : "plus";
    Json row{{"prompt", "What is " + std::to_string(a) + " " + op + " " + std::to_string(b) + " ?"},
             {"completion", "<think> first " + std::to_string(a) + " " + op + " " + std::to_string(b) +
                                " then so </think> <answer> " + answer + " </answer>"}};
    body += row.dump() + "\n";
  }
  write_text(path, body);
  return path;
}

std::vector<Json> metrics(const std::string& stage_dir) { return read_jsonl(stage_dir + "/metrics.jsonl"); }

std::map<std::string, torch::Tensor> final_weights(const std::string& stage_dir) {
  return load_checkpoint(stage_dir + "/final", false).weights;
}

double max_weight_diff(const std::string& a, const std::string& b) {
  auto wa = final_weights(a), wb = final_weights(b);
  REQUIRE(wa.size() == wb.size());
  double worst = 0;
  for (const auto& [name, t] : wa) {
    REQUIRE(wb.count(name));
    worst = std::max(worst, (t - wb.at(name)).abs().max().item<double>());
  }
  return worst;
}

// Relative-or-absolute closeness for metric values.
bool close(double a, double b, double rel, double abs_tol) {
  return std::fabs(a - b) <= abs_tol + rel * std::max(std::fabs(a), std::fabs(b));
}

std::string launcher() { return std::string(R1_SOURCE_DIR) + "/scripts/launch-local.sh"; }

// A GRPO run of 1 process (dir/one) against 2 ranks (dir/two): samples.jsonl (gathered from both ranks onto rank 0)
// holds the same completions in the same order with the same advantages, and the final weights agree. Returns the
// number of sample rows.
size_t same_samples_and_weights(const std::string& dir) {
  auto s1 = read_jsonl(dir + "/one/samples.jsonl"), s2 = read_jsonl(dir + "/two/samples.jsonl");
  REQUIRE(s2.size() == s1.size());
  for (size_t i = 0; i < s1.size(); ++i) {
    CHECK(s1[i]["completion"] == s2[i]["completion"]);
    CHECK(close(s1[i]["advantage"].get<double>(), s2[i]["advantage"].get<double>(), 1e-9, 1e-12));
  }
  CHECK(max_weight_diff(dir + "/one", dir + "/two") < 1e-4);
  return s1.size();
}

}  // namespace

TEST_CASE("2-rank SFT (launch-local.sh) trains like 1 process with the same global batch", "[dist][e2e]") {
  std::string dir = test::temp_dir("dist_sft");
  std::string init = micro_checkpoint(dir), data = sft_data(dir);
  write_text(dir + "/sft.yaml", "seed: 5\nthreads: 1\ninit: " + init + "\ndata: " + data +
                                    "\nmax_steps: 6\nseq_len: 64\neval_frac: 0.1\neval_every: 2\neval: false\n"
                                    "optim: {lr: 3.0e-3, warmup_steps: 1}\ncheckpoint: {every: 3}\n");
  auto one = test::run_r1("sft --config " + dir + "/sft.yaml --out " + dir + "/one --set batch_size=8");
  REQUIRE(one.exit_code == 0);
  auto two = test::run_shell("cd " + dir + " && R1_DIST_CHECK_SYNC=1 R1_DIST_TIMEOUT_S=60 " + launcher() + " 2 " +
                             R1_BINARY + " sft --config sft.yaml --out two --set batch_size=4");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK_THAT(two.output, Catch::Contains("distributed: gloo, rank 0 of 2"));

  auto m1 = metrics(dir + "/one"), m2 = metrics(dir + "/two");
  REQUIRE(m1.size() == 6);
  REQUIRE(m2.size() == 6);  // rank 0 alone writes metrics
  for (size_t i = 0; i < m1.size(); ++i) {
    INFO("step " << i + 1 << ": " << m1[i].dump() << " vs " << m2[i].dump());
    CHECK(close(m1[i]["loss"].get<double>(), m2[i]["loss"].get<double>(), 1e-4, 1e-6));
    CHECK(close(m1[i]["grad_norm"].get<double>(), m2[i]["grad_norm"].get<double>(), 1e-3, 1e-6));
    CHECK(m1[i].contains("eval_loss") == m2[i].contains("eval_loss"));
    if (m1[i].contains("eval_loss"))
      CHECK(close(m1[i]["eval_loss"].get<double>(), m2[i]["eval_loss"].get<double>(), 1e-4, 1e-6));
  }
  // The loss moved, so the comparison above compares training, not a constant.
  CHECK(std::fabs(m1.front()["loss"].get<double>() - m1.back()["loss"].get<double>()) > 1e-3);
  CHECK(max_weight_diff(dir + "/one", dir + "/two") < 1e-4);
  CHECK(fs::exists(dir + "/two/log.txt"));
  CHECK(fs::exists(dir + "/two/log.rank1.txt"));
  CHECK(fs::exists(dir + "/two/checkpoint-000003"));
  CHECK(fs::exists(dir + "/two/DONE"));
}

TEST_CASE("2-rank GRPO (torchrun) samples and trains like 1 process with the same global batch", "[dist][e2e]") {
  std::string dir = test::temp_dir("dist_grpo");
  std::string init = micro_checkpoint(dir);
  // A length-shaped reward and stop strings give groups with varied rewards even from an untrained model; two
  // iterations over shuffled minibatches of 8 (of 16 rows), a KL term and batch-scaled advantages exercise the
  // global-row-order minibatch rule, the global normalisers and the gathered reward statistics.
  write_text(dir + "/grpo.yaml",
             "seed: 11\nthreads: 1\ninit: " + init +
                 "\nprompts: {task: arithmetic, levels: [1], n: 32, template: chat}\n"
                 "rewards: [{name: length, mode: overlong, max_length: 24, buffer: 20}]\n"
                 "sampling: {max_new_tokens: 24, temperature: 1.0, stop: [\"e\", \"a\", \"o\"]}\n"
                 "grpo: {group_size: 4, prompts_per_step: 4, iterations: 2, minibatch_size: 8, beta: 0.04, "
                 "scale_rewards: batch, loss_agg: token-mean}\n"
                 "optim: {lr: 1.0e-3}\nsteps: 3\nsamples_every: 1\nsamples_per_write: 16\neval: false\n");
  auto one = test::run_r1("train-zero --config " + dir + "/grpo.yaml --out " + dir + "/one");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  auto two = test::run_shell("cd " + dir + " && R1_DIST_CHECK_SYNC=1 R1_DIST_TIMEOUT_S=60 /usr/bin/python3 -m "
                             "torch.distributed.run --nproc_per_node 2 --master_addr 127.0.0.1 --master_port " +
                             std::to_string(free_port()) + " --redirects 1 --tee 1 --no_python " + R1_BINARY +
                             " train-zero --config grpo.yaml --out two");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK_THAT(two.output, Catch::Contains("via the torchrun agent"));

  auto m1 = metrics(dir + "/one"), m2 = metrics(dir + "/two");
  REQUIRE(m1.size() == 3);
  REQUIRE(m2.size() == 3);
  bool varied = false;
  for (size_t i = 0; i < m1.size(); ++i) {
    INFO("step " << i + 1 << ": " << m1[i].dump() << " vs " << m2[i].dump());
    // Same samples: every reward statistic matches exactly.
    for (const char* key : {"reward", "completion_len_mean", "completion_len_max", "truncated_frac", "zero_std_frac"})
      CHECK(m1[i][key].get<double>() == m2[i][key].get<double>());
    for (const char* key : {"loss", "kl", "clip_frac", "entropy", "grad_norm"})
      CHECK(close(m1[i][key].get<double>(), m2[i][key].get<double>(), 1e-3, 1e-6));
    varied = varied || m1[i]["zero_std_frac"].get<double>() < 1.0;
  }
  CHECK(varied);  // some groups had non-zero advantages
  CHECK(same_samples_and_weights(dir) == 3 * 16);
}

TEST_CASE("2-rank GRPO with GSPO + TIS + REINFORCE++ + the difficulty filter trains like 1 process", "[dist][e2e]") {
  std::string dir = test::temp_dir("dist_grpo_variants");
  std::string init = micro_checkpoint(dir);
  // REINFORCE++ whitens over every token of the global batch, TIS and the mismatch sums add over ranks, the filter's
  // memory must agree on every rank (each draws from the shared cursor), GSPO counts clipped sequences.
  write_text(dir + "/grpo.yaml",
             "seed: 13\nthreads: 1\ninit: " + init +
                 "\nprompts: {task: arithmetic, levels: [1], n: 12, template: chat, "
                 "filter: {min_pass_rate: 0.0, max_pass_rate: 0.5, window: 2}}\n"
                 "rewards: [{name: length, mode: overlong, max_length: 24, buffer: 20}]\n"
                 "sampling: {max_new_tokens: 24, temperature: 1.0, stop: [\"e\", \"a\", \"o\"]}\n"
                 "grpo: {group_size: 4, prompts_per_step: 4, iterations: 2, minibatch_size: 8, "
                 "importance_sampling: sequence, epsilon_low: 3.0e-4, epsilon_high: 4.0e-4, "
                 "rollout_correction: tis, advantage: reinforce_pp}\n"
                 "optim: {lr: 1.0e-3}\nsteps: 4\nsamples_every: 1\nsamples_per_write: 16\neval: false\n");
  auto one = test::run_r1("train-zero --config " + dir + "/grpo.yaml --out " + dir + "/one");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  auto two = test::run_shell("cd " + dir + " && R1_DIST_CHECK_SYNC=1 R1_DIST_TIMEOUT_S=60 " + launcher() + " 2 " +
                             R1_BINARY + " train-zero --config grpo.yaml --out two");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  auto m1 = metrics(dir + "/one"), m2 = metrics(dir + "/two");
  REQUIRE(m1.size() == 4);
  REQUIRE(m2.size() == 4);
  for (size_t i = 0; i < m1.size(); ++i) {
    INFO("step " << i + 1 << ": " << m1[i].dump() << " vs " << m2[i].dump());
    for (const char* key : {"reward", "completion_len_mean", "zero_std_frac", "filter_skipped"})
      CHECK(m1[i][key].get<double>() == m2[i][key].get<double>());
    for (const char* key : {"loss", "clip_frac", "grad_norm", "mismatch_logp_abs_mean", "mismatch_logp_abs_max",
                            "mismatch_kl", "tis_weight_mean", "tis_capped_frac"})
      CHECK(close(m1[i][key].get<double>(), m2[i][key].get<double>(), 1e-3, 1e-6));
  }
  CHECK(same_samples_and_weights(dir) == 4 * 16);
}

TEST_CASE("GRPO refuses prompts_per_step that does not split over the ranks", "[dist]") {
  std::string dir = test::temp_dir("dist_grpo_bad");
  std::string init = micro_checkpoint(dir);
  write_text(dir + "/grpo.yaml", "threads: 1\ninit: " + init +
                                     "\nprompts: {task: arithmetic, levels: [1], n: 8, template: chat}\n"
                                     "rewards: [{name: format}]\nsampling: {max_new_tokens: 4}\n"
                                     "grpo: {group_size: 2, prompts_per_step: 3}\nsteps: 1\neval: false\n");
  auto r = test::run_shell("cd " + dir + " && R1_DIST_TIMEOUT_S=30 " + launcher() + " 2 " + R1_BINARY +
                           " train-zero --config grpo.yaml --out out");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("grpo.prompts_per_step: must be divisible by the number of ranks, 2") &&
                           Catch::Contains("(got 3)"));
}

TEST_CASE("a rank that stops answering makes the others fail with a clear message within the timeout",
          "[dist][e2e]") {
  std::string dir = test::temp_dir("dist_dead");
  std::string init = micro_checkpoint(dir), data = sft_data(dir);
  write_text(dir + "/sft.yaml", "threads: 1\ninit: " + init + "\ndata: " + data +
                                    "\nmax_steps: 100000\nbatch_size: 2\nseq_len: 64\neval_frac: 0.1\neval: false\n");
  // Rank 1 is frozen (SIGSTOP) once training runs: rank 0 must give up after R1_DIST_TIMEOUT_S = 4 s (plus the few
  // seconds that name the silent rank) and exit 1. A watchdog kills everything after 60 s so a hang fails the test.
  std::string script =
      "cd " + dir + " && export MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(free_port()) +
      " WORLD_SIZE=2 R1_DIST_TIMEOUT_S=4\n"
      "RANK=0 LOCAL_RANK=0 " + R1_BINARY + " sft --config sft.yaml --out out > r0.log 2>&1 &\np0=$!\n"
      "RANK=1 LOCAL_RANK=1 " + R1_BINARY + " sft --config sft.yaml --out out > r1.log 2>&1 &\np1=$!\n"
      "( sleep 60; kill -9 $p0 $p1 ) 2>/dev/null &\nwatchdog=$!\n"
      "for i in $(seq 1 400); do [ -f out/metrics.jsonl ] && [ $(wc -l < out/metrics.jsonl) -ge 3 ] && break; "
      "sleep 0.05; done\n"
      "kill -STOP $p1\nstart=$(date +%s%N)\nwait $p0\nrc=$?\nend=$(date +%s%N)\n"
      "kill -9 $p1; wait $p1 2>/dev/null; kill $watchdog 2>/dev/null\n"
      "echo \"rc0=$rc elapsed_ms=$(( (end - start) / 1000000 ))\"\ncat r0.log\n";
  auto r = test::run_shell(script);
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("rc0=1 "));
  CHECK_THAT(r.output, Catch::Contains("rank 0 of 2: all_reduce failed: rank 1 did not answer within 4 s"));
  auto pos = r.output.find("elapsed_ms=");
  REQUIRE(pos != std::string::npos);
  long elapsed = std::stol(r.output.substr(pos + 11));
  CHECK(elapsed < 20000);
}
