// The tokenize case: a Hugging Face tokenizer.json's load time, encode and decode throughput on English prose and
// on mixed-script text, and the tokenizer work of one GRPO step (its prompts encoded, its completions decoded).
#include <filesystem>

#include "r1/bench/bench_cases.h"
#include "r1/data/filler_prose.h"
#include "r1/data/task.h"
#include "r1/tokenizer/prompt_template.h"
#include "r1/tokenizer/tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"
#include "r1/util/timer.h"

namespace r1::bench {

namespace {

constexpr size_t kTextBytes = 1 << 20;

std::string english_prose(std::uint64_t seed) {
  Rng rng(derive_seed(seed, "bench/tokenize/prose"));
  std::string text;
  while (text.size() < kTextBytes) text += filler_prose(rng, "en") + "\n\n";
  return text;
}

// Words of several scripts and numbers, in seeded random order (few repeats of a whole line, so the pre-token
// cache helps less than on prose).
std::string mixed_script(std::uint64_t seed) {
  static const std::vector<std::string> words = {
      "the",    "reasoning", "answer",  "número",  "después", "привет", "мир",      "вычисление", "数学",
      "问题",   "答案",      "計算",    "これは",  "テスト",  "한국어", "질문",     "مرحبا",      "سؤال",
      "γεια",   "λύση",      "😀",      "👩‍💻",      "🚀🚀",    "\t",     "  ",       "\n",         "ñandú",
      "İstanbul", "straße",  "naïve",   "ক্ষ",       "नमस्ते",   "ภาษาไทย", "Việt Nam"};
  Rng rng(derive_seed(seed, "bench/tokenize/mixed"));
  std::string text;
  while (text.size() < kTextBytes) {
    if (rng.uniform() < 0.15) text += std::to_string(rng.uniform_int(0, 99999));
    else text += words[static_cast<size_t>(rng.uniform_int(0, static_cast<int>(words.size()) - 1))];
    text += rng.uniform() < 0.1 ? ", " : " ";
  }
  return text;
}

// Seconds of each counted run of fn (after o.warmup uncounted ones).
template <class F>
std::vector<double> time_runs(const CaseOptions& o, F fn) {
  std::vector<double> out;
  for (int r = 0; r < o.warmup + o.runs; ++r) {
    Stopwatch clock;
    fn();
    if (r >= o.warmup) out.push_back(clock.seconds());
  }
  return out;
}

Json throughput(const CaseOptions& o, const Tokenizer& tok, const std::string& text) {
  std::vector<int> ids = tok.encode(text);
  auto encode_s = time_runs(o, [&] { ids = tok.encode(text); });
  auto decode_s = time_runs(o, [&] { tok.decode(ids); });
  return Json{{"bytes", text.size()}, {"tokens", ids.size()}, {"encode_s", encode_s}, {"decode_s", decode_s}};
}

// One GRPO step's tokenizer work at the bench's GRPO settings: each prompt rendered with the R1-Zero template and
// encoded, each completion (grpo_new_tokens tokens of prose) decoded.
Json grpo_step_work(const CaseOptions& o, const Tokenizer& tok) {
  Rng rng(derive_seed(o.seed, "bench/tokenize/grpo"));
  std::vector<std::string> prompts;
  for (int k = 0; k < o.grpo_prompts; ++k) prompts.push_back(render_prompt("r1-zero", filler_prose(rng, "en")));
  std::vector<std::vector<int>> completions;
  for (int i = 0; i < o.grpo_prompts * o.group_size; ++i) {
    auto ids = tok.encode(filler_prose(rng, "en") + filler_prose(rng, "en"));
    ids.resize(std::min<size_t>(ids.size(), static_cast<size_t>(o.grpo_new_tokens)));
    completions.push_back(ids);
  }
  auto seconds = time_runs(o, [&] {
    for (const auto& p : prompts) tok.encode(p);
    for (const auto& c : completions) tok.decode(c);
  });
  return Json{{"prompts", prompts.size()}, {"completions", completions.size()}, {"seconds", seconds}};
}

}  // namespace

Json tokenize_case(const CaseOptions& o) {
  if (!std::filesystem::exists(std::filesystem::path(o.hf_tokenizer) / "tokenizer.json"))
    throw InputError("bench tokenize: --hf-tokenizer " + o.hf_tokenizer + " holds no tokenizer.json");
  std::vector<double> load_s;
  Tokenizer tok;
  for (int r = 0; r < 3; ++r) {
    Stopwatch clock;
    tok = Tokenizer::load(o.hf_tokenizer);
    load_s.push_back(clock.seconds());
  }
  return Json{{"tokenizer", o.hf_tokenizer},
              {"vocab_size", tok.vocab_size()},
              {"load_s", load_s},
              {"prose", throughput(o, tok, english_prose(o.seed))},
              {"mixed", throughput(o, tok, mixed_script(o.seed))},
              {"grpo_step", grpo_step_work(o, tok)}};
}

}  // namespace r1::bench
