// JSONL prompt files: field mapping, answer formats, line-numbered errors.
#include "r1/data/prompt_file.h"

#include <filesystem>

#include "r1/data/answer_format.h"
#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/strings.h"

namespace r1 {

namespace {

std::string where(const std::string& path, size_t line) { return path + ":" + std::to_string(line) + ": "; }

InputError field_error(const std::string& path, size_t line, const std::string& field, const std::string& expected,
                       const Json& got) {
  return InputError(where(path, line) + "field \"" + field + "\": expected " + expected + ", got " +
                    describe_json(got));
}

long long integer_field(const Json& value, const std::string& path, size_t line, const std::string& field) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_number_float()) {
    double d = value.get<double>();
    if (d == static_cast<double>(static_cast<long long>(d)) && d > -1e15 && d < 1e15) return static_cast<long long>(d);
  }
  throw field_error(path, line, field, "an integer", value);
}

const char* format_expectation(const std::string& format) {
  if (format == "gsm8k") return "a gsm8k answer ending in \"#### N\"";
  if (format == "boxed") return "an answer with \\boxed{...}";
  return "a non-empty answer";
}

}  // namespace

std::vector<PromptExample> load_prompt_file(const config::PromptSourceConfig& cfg) {
  const std::string& path = cfg.file;
  const std::string name = std::filesystem::path(path).filename().string();
  std::vector<PromptExample> out;
  size_t rows = 0;
  for_each_jsonl(path, [&](const Json& row, size_t line) {
    ++rows;
    PromptExample ex;
    auto q = row.find(cfg.prompt_field);
    if (q == row.end()) throw InputError(where(path, line) + "missing field \"" + cfg.prompt_field + "\"");
    if (!q->is_string() || trim(q->get<std::string>()).empty())
      throw field_error(path, line, cfg.prompt_field, "a non-empty string", *q);
    ex.question = q->get<std::string>();

    auto a = row.find(cfg.answer_field);
    if (a == row.end()) throw InputError(where(path, line) + "missing field \"" + cfg.answer_field + "\"");
    std::string answer_text;
    if (a->is_string()) answer_text = a->get<std::string>();
    else if (a->is_number_integer()) answer_text = std::to_string(a->get<long long>());
    else if (a->is_number()) answer_text = format_number(a->get<double>());
    else throw field_error(path, line, cfg.answer_field, "a string or a number", *a);
    auto gold = parse_gold_answer(answer_text, cfg.answer_format);
    if (!gold) throw field_error(path, line, cfg.answer_field, format_expectation(cfg.answer_format), *a);
    ex.answer = *gold;

    ex.task = "file";
    if (auto t = row.find("task"); t != row.end()) {
      bool ok = t->is_string();
      if (ok) {
        std::string task = t->get<std::string>();
        ok = task == "file";
        for (const auto& n : config::kTaskNames) ok = ok || n == task;
        if (ok) ex.task = task;
      }
      if (!ok) throw field_error(path, line, "task", "one of file|" + join(config::kTaskNames, "|"), *t);
    }
    if (auto l = row.find("level"); l != row.end()) {
      long long level = integer_field(*l, path, line, "level");
      if (level < 1 || level > 5) throw field_error(path, line, "level", "an integer in [1, 5]", *l);
      ex.level = static_cast<int>(level);
    }
    if (auto g = row.find("language"); g != row.end()) {
      if (!g->is_string() || (g->get<std::string>() != "en" && g->get<std::string>() != "es"))
        throw field_error(path, line, "language", "\"en\" or \"es\"", *g);
      ex.language = g->get<std::string>();
    }
    if (auto n = row.find("numbers"); n != row.end()) {
      if (!n->is_array() || n->empty()) throw field_error(path, line, "numbers", "a non-empty array of integers", *n);
      for (const auto& v : *n) ex.numbers.push_back(integer_field(v, path, line, "numbers"));
    }
    if (auto t = row.find("target"); t != row.end()) ex.target = integer_field(*t, path, line, "target");
    if (ex.task == "countdown") {
      if (ex.numbers.empty()) throw InputError(where(path, line) + "a countdown row needs \"numbers\"");
      if (row.find("target") == row.end()) {
        // The gold answer is the target.
        try {
          size_t used = 0;
          ex.target = std::stoll(ex.answer, &used);
          if (used != ex.answer.size()) throw std::invalid_argument("trailing text");
        } catch (const std::exception&) {
          throw InputError(where(path, line) + "a countdown row needs \"target\" (or an integer answer), got answer " +
                           quote(ex.answer));
        }
      }
    }
    if (auto p = row.find("problem"); p != row.end()) {
      if (!p->is_string() || p->get<std::string>().empty())
        throw field_error(path, line, "problem", "a non-empty string", *p);
      ex.problem_key = p->get<std::string>();
    } else {
      ex.problem_key = ex.question;
    }
    if (auto i = row.find("id"); i != row.end()) {
      if (!i->is_string() || i->get<std::string>().empty()) throw field_error(path, line, "id", "a non-empty string", *i);
      ex.id = i->get<std::string>();
    } else {
      ex.id = name + ":" + std::to_string(line);
    }
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
