// `r1 data gen` and `r1 reward` run as the built binary: determinism, splits, output rows, tables, --json,
// exit code 2 with file:line messages on bad input; the example reward configs validate.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct RunResult {
  int rc = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

fs::path work_dir() {
  fs::path dir = fs::temp_directory_path() / ("r1_cli_data_reward_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `r1 ARGS` in the work directory, capturing stdout and stderr.
RunResult r1(const std::string& args) {
  fs::path dir = work_dir();
  fs::path err = dir / "stderr.txt";
  std::string cmd = "cd '" + dir.string() + "' && '" + std::string(R1_BINARY) + "' " + args + " 2>'" + err.string() + "'";
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  int status = pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err);
  return r;
}

void write(const std::string& name, const std::string& content) {
  std::ofstream(work_dir() / name, std::ios::binary) << content;
}

std::vector<nlohmann::json> rows_of(const std::string& name) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(slurp(work_dir() / name));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

}  // namespace

TEST_CASE("r1 data gen is deterministic per seed and writes every row field", "[data]") {
  auto a = r1("data gen --task countdown --n 30 --seed 5 --out gen/a.jsonl --levels 1,2,3 --language mixed");
  INFO(a.err);
  REQUIRE(a.rc == 0);
  REQUIRE(a.out.find("wrote 30 train prompts of countdown") != std::string::npos);
  REQUIRE(r1("data gen --task countdown --n 30 --seed 5 --out gen/b.jsonl --levels 1,2,3 --language mixed").rc == 0);
  REQUIRE(slurp(work_dir() / "gen/a.jsonl") == slurp(work_dir() / "gen/b.jsonl"));
  auto rows = rows_of("gen/a.jsonl");
  REQUIRE(rows.size() == 30);
  int es = 0;
  for (const auto& row : rows) {
    for (const char* key : {"id", "task", "level", "language", "question", "answer", "numbers", "target"})
      REQUIRE(row.contains(key));
    REQUIRE(row["task"] == "countdown");
    REQUIRE(row["answer"] == std::to_string(row["target"].get<long long>()));
    REQUIRE(row["level"].get<int>() >= 1);
    REQUIRE(row["level"].get<int>() <= 3);
    es += row["language"] == "es";
  }
  REQUIRE(es == 15);
}

TEST_CASE("r1 data gen train and eval splits share no problem", "[data]") {
  REQUIRE(r1("data gen --task arithmetic --n 200 --seed 1 --out gen/train.jsonl --levels 1,2 --split train").rc == 0);
  REQUIRE(r1("data gen --task arithmetic --n 60 --seed 1 --out gen/eval.jsonl --levels 1,2 --split eval").rc == 0);
  std::set<std::string> train;
  for (const auto& row : rows_of("gen/train.jsonl")) {
    REQUIRE_FALSE(row.contains("numbers"));
    train.insert(row["problem"].get<std::string>());
  }
  auto eval = rows_of("gen/eval.jsonl");
  REQUIRE(eval.size() == 60);
  for (const auto& row : eval) REQUIRE(train.count(row["problem"].get<std::string>()) == 0);
}

TEST_CASE("r1 data gen rejects bad options with exit code 2", "[data]") {
  auto bad_task = r1("data gen --task sudoku --n 3 --out gen/x.jsonl");
  REQUIRE(bad_task.rc == 2);
  REQUIRE(bad_task.err.find("task: expected one of arithmetic|countdown|linear, got \"sudoku\"") != std::string::npos);
  auto bad_level = r1("data gen --task linear --n 3 --out gen/x.jsonl --levels 1,9 --language fr");
  REQUIRE(bad_level.rc == 2);
  REQUIRE(bad_level.err.find("levels[1]: expected a difficulty level in [1, 5], got 9") != std::string::npos);
  REQUIRE(bad_level.err.find("language: expected one of en|es|mixed, got \"fr\"") != std::string::npos);
  REQUIRE_FALSE(fs::exists(work_dir() / "gen/x.jsonl"));
}

namespace {
void write_reward_inputs() {
  write("rewards.yaml", "rewards:\n  - {name: accuracy, weight: 1}\n  - {name: format, weight: 0.5}\n"
                        "  - {name: language, weight: 0.2}\n");
  write("completions.jsonl",
        "{\"question\": \"What is 2 + 3?\", \"answer\": \"5\", \"task\": \"arithmetic\", "
        "\"completion\": \"<think> First, 2 + 3 = 5. </think> <answer> 5 </answer>\"}\n"
        "{\"question\": \"What is 2 + 3?\", \"answer\": 5, "
        "\"completion\": \"<think> Primero, 2 + 3 = 6. </think> <answer> 6 </answer>\"}\n"
        "{\"task\": \"countdown\", \"numbers\": [3, 5, 7], \"target\": 22, \"language\": \"es\", "
        "\"completion\": \"<think> Luego 3 * 5 + 7 </think> la respuesta: <answer> 3 * 5 + 7 </answer>\"}\n"
        "{\"question\": \"q\", \"answer\": \"1\", \"completion\": \"<answer>1</answer><answer>2</answer>\"}\n");
}
}  // namespace

TEST_CASE("r1 reward prints a per-reward table", "[rewards]") {
  write_reward_inputs();
  auto r = r1("reward --config rewards.yaml --input completions.jsonl");
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  REQUIRE(r.out.find("accuracy            1    0.5000    0.0000    1.0000") != std::string::npos);
  REQUIRE(r.out.find("format            0.5    0.5000    0.0000    1.0000") != std::string::npos);
  REQUIRE(r.out.find("language          0.2    0.7500    0.0000    1.0000") != std::string::npos);
  REQUIRE(r.out.find("rows 4 | accuracy 50.0% | format 50.0% | language consistency 0.750") != std::string::npos);
}

TEST_CASE("r1 reward --json prints one result per line", "[rewards]") {
  write_reward_inputs();
  auto j = r1("reward --config rewards.yaml --input completions.jsonl --json");
  INFO(j.out << j.err);
  REQUIRE(j.rc == 0);
  std::istringstream lines(j.out);
  std::string line;
  std::vector<nlohmann::json> results;
  while (std::getline(lines, line)) results.push_back(nlohmann::json::parse(line));
  REQUIRE(results.size() == 4);
  REQUIRE(results[0]["correct"] == true);
  REQUIRE(results[0]["total"].get<double>() == Approx(1.7));
  REQUIRE(results[1]["extracted_answer"] == "6");
  REQUIRE(results[1]["language_consistency"] == 0.0);
  REQUIRE(results[2]["correct"] == true);
  REQUIRE(results[2]["formatted"] == false);
  REQUIRE(results[3]["rewards"]["accuracy"] == 0.0);  // answer spam is ambiguous
  REQUIRE(results[3]["line"] == 4);
  REQUIRE(j.err.find("rows 4") != std::string::npos);  // the table went to stderr
}

TEST_CASE("r1 reward: bad completions exit 2 naming the file and line", "[rewards]") {
  write("rewards.yaml", "rewards:\n  - {name: accuracy, weight: 1}\n");
  write("bad1.jsonl", "{\"answer\": \"1\", \"completion\": \"x\"}\nnot json\n");
  auto r = r1("reward --config rewards.yaml --input bad1.jsonl");
  REQUIRE(r.rc == 2);
  REQUIRE(r.err.find("bad1.jsonl:2: not valid JSON") != std::string::npos);
  write("bad2.jsonl", "{\"answer\": \"1\", \"completion\": \"x\"}\n{\"answer\": \"1\"}\n");
  auto m = r1("reward --config rewards.yaml --input bad2.jsonl");
  REQUIRE(m.rc == 2);
  REQUIRE(m.err.find("bad2.jsonl:2: missing field \"completion\"") != std::string::npos);
}

TEST_CASE("r1 reward: a bad rewards file exits 2 listing every problem", "[rewards]") {
  write("badrewards.yaml", "rewards:\n  - {name: format, mode: loose}\n  - {name: accuracy, wieght: 1}\n");
  write("ok.jsonl", "{\"answer\": \"1\", \"completion\": \"x\"}\n");
  auto c = r1("reward --config badrewards.yaml --input ok.jsonl");
  REQUIRE(c.rc == 2);
  REQUIRE(c.err.find("badrewards.yaml: rewards[0].mode: expected one of strict|soft") != std::string::npos);
  REQUIRE(c.err.find("rewards[1].wieght: unknown key (did you mean \"weight\"?)") != std::string::npos);
}

TEST_CASE("the example reward configs validate", "[rewards]") {
  const std::string dir = std::string(R1_SOURCE_DIR) + "/configs/rewards/";
  auto v = r1("validate '" + dir + "r1-zero.yaml' '" + dir + "r1.yaml'");
  INFO(v.err);
  REQUIRE(v.rc == 0);
}
