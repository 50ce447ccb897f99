// JSONL prompt files: field mapping, answer formats, line-numbered errors.
#include "r1/data/prompt_file.h"

#include <filesystem>

#include "r1/data/answer_format.h"
#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

const char* format_expectation(const std::string& format) {
  if (format == "gsm8k") return "a gsm8k answer ending in \"#### N\"";
  if (format == "boxed") return "an answer with \\boxed{...}";
  return "a non-empty answer";
}

// A countdown row's target when it has no `target` field: its integer gold answer.
long long target_from_answer(const std::string& answer, const std::string& path, size_t line) {
  try {
    size_t used = 0;
    long long v = std::stoll(answer, &used);
    if (used == answer.size()) return v;
  } catch (const std::exception&) {
  }
  throw InputError(jsonl_where(path, line) + "a countdown row needs \"target\" (or an integer answer), got answer " +
                   quote(answer));
}

}  // namespace

void read_prompt_fields(const Json& row, const std::string& path, size_t line, PromptExample& ex) {
  if (auto t = row.find("task"); t != row.end()) {
    bool ok = t->is_string();
    if (ok) {
      const std::string task = t->get<std::string>();
      ok = task == "file";
      for (const auto& n : config::kTaskNames) ok = ok || n == task;
      if (ok) ex.task = task;
    }
    if (!ok) throw jsonl_field_error(path, line, "task", "one of file|" + join(config::kTaskNames, "|"), *t);
  }
  if (auto i = row.find("id"); i != row.end()) {
    if (!i->is_string() || i->get<std::string>().empty()) throw jsonl_field_error(path, line, "id", "a non-empty string", *i);
    ex.id = i->get<std::string>();
  }
  if (auto l = row.find("level"); l != row.end()) {
    long long level = jsonl_integer(*l, path, line, "level");
    if (level < 1 || level > 5) throw jsonl_field_error(path, line, "level", "an integer in [1, 5]", *l);
    ex.level = static_cast<int>(level);
  }
  if (auto g = row.find("language"); g != row.end()) {
    if (!g->is_string() || (g->get<std::string>() != "en" && g->get<std::string>() != "es"))
      throw jsonl_field_error(path, line, "language", "\"en\" or \"es\"", *g);
    ex.language = g->get<std::string>();
  }
  if (auto n = row.find("numbers"); n != row.end()) {
    if (!n->is_array() || n->empty()) throw jsonl_field_error(path, line, "numbers", "a non-empty array of integers", *n);
    for (const auto& v : *n) ex.numbers.push_back(jsonl_integer(v, path, line, "numbers"));
  }
  const auto target = row.find("target");
  if (target != row.end()) ex.target = jsonl_integer(*target, path, line, "target");
  if (ex.task == "countdown") {
    if (ex.numbers.empty()) throw InputError(jsonl_where(path, line) + "a countdown row needs \"numbers\"");
    if (target == row.end()) ex.target = target_from_answer(ex.answer, path, line);
  }
  if (auto p = row.find("problem"); p != row.end()) {
    if (!p->is_string() || p->get<std::string>().empty())
      throw jsonl_field_error(path, line, "problem", "a non-empty string", *p);
    ex.problem_key = p->get<std::string>();
  }
}

std::vector<PromptExample> load_prompt_file(const config::PromptSourceConfig& cfg) {
  const std::string& path = cfg.file;
  const std::string name = std::filesystem::path(path).filename().string();
  std::vector<PromptExample> out;
  size_t rows = 0;
  for_each_jsonl(path, [&](const Json& row, size_t line) {
    ++rows;
    PromptExample ex;
    auto q = row.find(cfg.prompt_field);
    if (q == row.end()) throw InputError(jsonl_where(path, line) + "missing field \"" + cfg.prompt_field + "\"");
    if (!q->is_string() || trim(q->get<std::string>()).empty())
      throw jsonl_field_error(path, line, cfg.prompt_field, "a non-empty string", *q);
    ex.question = q->get<std::string>();

    auto a = row.find(cfg.answer_field);
    if (a == row.end()) throw InputError(jsonl_where(path, line) + "missing field \"" + cfg.answer_field + "\"");
    std::string answer_text;
    if (a->is_string()) answer_text = a->get<std::string>();
    else if (a->is_number_integer()) answer_text = std::to_string(a->get<long long>());
    else if (a->is_number()) answer_text = format_number(a->get<double>());
    else throw jsonl_field_error(path, line, cfg.answer_field, "a string or a number", *a);
    auto gold = parse_gold_answer(answer_text, cfg.answer_format);
    if (!gold) throw jsonl_field_error(path, line, cfg.answer_field, format_expectation(cfg.answer_format), *a);
    ex.answer = *gold;

    ex.task = "file";
    ex.id = name + ":" + std::to_string(line);
    ex.problem_key = ex.question;
    read_prompt_fields(row, path, line, ex);
    if (rows <= static_cast<size_t>(cfg.offset)) return;
    if (cfg.n > 0 && out.size() >= static_cast<size_t>(cfg.n)) return;
    out.push_back(std::move(ex));
  });
  if (out.empty())
    throw InputError(path + ": no prompts" +
                     (rows == 0 ? std::string(" (the file has no rows)")
                                : " (offset " + std::to_string(cfg.offset) + " skips all " + std::to_string(rows) +
                                      " rows)"));
  return out;
}

}  // namespace r1
