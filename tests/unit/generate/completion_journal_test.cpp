// The sampling journal of the data stages (issue 28, finding 3): a stopped or killed collection resumes where it
// stopped with the same completions as an uninterrupted run; a torn last record or another configuration's journal
// is never used.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/dist/comm.h"
#include "r1/generate/completion_journal.h"
#include "r1/generate/sharded_sampling.h"
#include "r1/util/error.h"
#include "r1/util/signals.h"

using namespace r1;
namespace fs = std::filesystem;

namespace {
generate::Completion completion(int i) {
  generate::Completion c;
  c.tokens = {i, i + 1};
  c.logprobs = {-0.5f * static_cast<float>(i), -1.0f};
  c.text = "row " + std::to_string(i);
  c.finish = i % 2 ? generate::FinishReason::kStop : generate::FinishReason::kLength;
  return c;
}
}  // namespace

TEST_CASE("the completion journal keeps whole batches and drops a torn tail", "[generate][reliability]") {
  const std::string path = test::temp_dir("journal") + "/samples.rank0.journal";
  {
    generate::CompletionJournal j(path, "config abc");
    CHECK(j.load().empty());
    j.append({completion(0), completion(1)});
    j.append({completion(2), completion(3)});
  }
  std::ofstream(path, std::ios::app | std::ios::binary) << "r1batch\n\x05";  // a kill -9 mid-append
  generate::CompletionJournal again(path, "config abc");
  auto rows = again.load();
  REQUIRE(rows.size() == 4);
  CHECK(rows[3].text == "row 3");
  CHECK(rows[2].tokens == std::vector<int>{2, 3});
  CHECK(rows[1].finish == generate::FinishReason::kStop);
  again.append({completion(4), completion(5)});  // appends after the repaired prefix
  CHECK(generate::CompletionJournal(path, "config abc").load().size() == 6);
  CHECK(generate::CompletionJournal(path, "config xyz").load().empty());  // another configuration: start over
  CHECK(generate::CompletionJournal(path, "config abc").load().empty());
}

TEST_CASE("sampling stopped between batches resumes from its journal to the uninterrupted result",
          "[generate][reliability]") {
  const auto& tok = test::tiny_tokenizer();
  model::Transformer m(test::micro_model_config(), tok.vocab_size());
  m->init_weights(11);
  generate::Sampler sampler(*m, tok);
  std::vector<std::vector<int>> rows;
  std::vector<std::uint64_t> seeds;
  for (int p = 0; p < 6; ++p)
    for (int s = 0; s < 2; ++s) {
      rows.push_back(generate::encode_prompt(tok, "What is " + std::to_string(p) + " + 1?"));
      seeds.push_back(static_cast<std::uint64_t>(10 * p + s));
    }
  config::SamplingConfig cfg;
  cfg.temperature = 1.0;
  cfg.max_new_tokens = 8;
  dist::LocalComm local;
  generate::ShardedSamplingOptions o;
  o.rows_per_unit = 2;
  o.batch_units = 2;
  auto straight = generate::sample_across_ranks(sampler, rows, cfg, seeds, o, local);

  const std::string path = test::temp_dir("journal_resume") + "/j";
  generate::CompletionJournal journal(path, "id");
  o.journal = &journal;
  o.what = "[cold] sampling";
  size_t batches = 0;
  o.progress = [&](size_t, size_t) {
    if (++batches == 2) request_stop(SIGTERM);  // a signal during the second batch
  };
  try {
    generate::sample_across_ranks(sampler, rows, cfg, seeds, o, local);
    FAIL("not stopped");
  } catch (const Interrupted& e) {
    CHECK(std::string(e.what()).find("[cold] sampling stopped after 4 of 6 units") != std::string::npos);
    CHECK(e.exit_code() == 143);
  }
  clear_stop_request();
  o.progress = nullptr;
  auto resumed = generate::sample_across_ranks(sampler, rows, cfg, seeds, o, local);
  REQUIRE(resumed.size() == straight.size());
  for (size_t i = 0; i < straight.size(); ++i) {
    CHECK(resumed[i].tokens == straight[i].tokens);
    CHECK(resumed[i].text == straight[i].text);
  }
}
