// Seeded fuzzing of the JSONL reader: random bytes and mutated lines only ever give a clean InputError naming
// the file and line, or rows that are all JSON objects.
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "../../support/test_support.h"
#include "r1/io/jsonl.h"
#include "r1/util/error.h"
#include "r1/util/rng.h"

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kValidLines = {
    R"({"prompt": "What is 2+3?", "answer": "5", "id": 17})",
    R"({"text": "caf\u00e9 \"quoted\" \\ tab\t", "score": -1.25e-3, "ok": true, "none": null})",
    R"({"nested": {"list": [1, 2.5, "three", [4], {"five": 5}]}, "unicode": "数学 ✓"})",
    R"({"big": 123456789012345678901234567890, "neg": -9223372036854775808, "e": 1E5})",
    "{}",
};

std::string random_bytes(r1::Rng& rng, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng.below(256));
  return out;
}

char json_char(r1::Rng& rng) {
  static const std::string chars = "{}[]\":,-+.0123456789eE tfnul\\/\n\r\t\x01\x7f\xc3\xa9\xff";
  return chars[rng.below(chars.size())];
}

std::string mutate_line(std::string line, r1::Rng& rng) {
  switch (rng.below(6)) {
    case 0:
      line.resize(rng.below(line.size() + 1));
      break;
    case 1:
      for (int i = 0, n = static_cast<int>(rng.below(3)) + 1; i < n && !line.empty(); ++i)
        line[rng.below(line.size())] = json_char(rng);
      break;
    case 2:
      line.insert(line.begin() + static_cast<long>(rng.below(line.size() + 1)), json_char(rng));
      break;
    case 3:
      if (!line.empty()) line.erase(rng.below(line.size()), 1);
      break;
    case 4:
      line[rng.below(line.size())] = static_cast<char>(rng.below(256));
      break;
    default: {  // splice a number that overflows a double, or other JSON-valid oddities
      static const std::vector<std::string> odd = {"1e400", "-1e999", "[]", "\"\\ud800\"", "1.5", "null", "{}"};
      line = R"({"x": )" + odd[rng.below(odd.size())] + "}";
      break;
    }
  }
  return line;
}

struct Outcome {
  bool ok = false;
  std::string error;
};

// Reads `path` with for_each_jsonl: rows must be objects with increasing line numbers; only InputError may
// escape (its message must name the file); anything else fails the test.
Outcome read_checked(const std::string& path, const std::string& label) {
  Outcome out;
  try {
    size_t last_line = 0;
    r1::for_each_jsonl(path, [&](const r1::Json& row, size_t line) {
      REQUIRE(row.is_object());
      REQUIRE(line > last_line);
      last_line = line;
    });
    out.ok = true;
  } catch (const r1::InputError& e) {
    out.error = e.what();
    INFO(label);
    REQUIRE(out.error.find(path) != std::string::npos);
  } catch (const std::exception& e) {
    FAIL(label << ": unexpected exception type: " << e.what());
  }
  return out;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& tag)
      : path((fs::temp_directory_path() / ("r1-jsonl-fuzz-" + tag + "-" + std::to_string(::getpid()) + ".jsonl"))
                 .string()) {}
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  void write(const std::string& content) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
};

}  // namespace

TEST_CASE("jsonl reader: edge cases give InputError with file and line, or rows", "[io]") {
  TempFile f("edge");
  auto expect_error = [&](const std::string& content, const std::string& where, const std::string& what) {
    f.write(content);
    Outcome o = read_checked(f.path, content.substr(0, 40));
    INFO(content.substr(0, 40) << " -> " << o.error);
    CHECK_FALSE(o.ok);
    CHECK(o.error.find(f.path + ":" + where + ":") != std::string::npos);
    CHECK(o.error.find(what) != std::string::npos);
  };
  expect_error("{\"a\": 1}\n{\"x\": 1e400}\n", "2", "");  // number overflow is bad input, not a crash
  expect_error("{\"a\": -1e999}\n", "1", "");
  expect_error("{\"a\": \"\xff\xfe\"}\n", "1", "not valid JSON");  // invalid UTF-8
  expect_error("\n\n[1, 2]\n", "3", "expected a JSON object");
  expect_error("{\"a\": \"\\ud800\"}\n", "1", "not valid JSON");
  expect_error(std::string("{\"a\": \"x\0y\"}\n", 13), "1", "not valid JSON");  // raw NUL in a string
  expect_error("{\"a\": 1}\n{\"b\": 2", "2", "not valid JSON");  // torn last line

  f.write("{\"a\": 1}\r\n\r\n   \n{\"b\": [" + std::string(5000, '[') + std::string(5000, ']') + "]}");
  Outcome o = read_checked(f.path, "crlf and deep nesting");
  CHECK(o.ok);
  CHECK(r1::read_jsonl(f.path).size() == 2);
}

TEST_CASE("jsonl reader fuzz: random bytes and mutated lines only give InputError or rows", "[io]") {
  TempFile f("fuzz");
  r1::Rng rng(r1::derive_seed(99, "jsonl-fuzz"));
  int ok = 0, rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string content;
    if (rng.below(5) == 0) {
      content = random_bytes(rng, rng.below(300));
    } else {
      size_t lines = rng.below(5) + 1;
      for (size_t i = 0; i < lines; ++i) {
        std::string line = rng.pick(kValidLines);
        uint64_t kind = rng.below(10);
        if (kind < 4) line = mutate_line(line, rng);
        else if (kind == 4) line = random_bytes(rng, rng.below(40));
        else if (kind == 5) line = "   ";
        content += line + (rng.bernoulli(0.2) ? "\r\n" : "\n");
      }
      if (rng.bernoulli(0.2)) content.pop_back();  // no final newline
    }
    f.write(content);
    Outcome o = read_checked(f.path, "iteration " + std::to_string(iter));
    if (o.ok) ++ok;
    else ++rejected;
  }
  INFO("ok " << ok << ", rejected " << rejected);
  CHECK(ok > 300);
  CHECK(rejected > 300);
}

TEST_CASE("jsonl rows have a size limit and a memory bound", "[io][reliability]") {
  const std::string dir = r1::test::temp_dir("jsonl_limits");
  // 1.5 MB of nested tiny objects: parsed, well over 20 bytes per character.
  std::string nested = "{\"a\": [";
  while (nested.size() < (3u << 19)) nested += "{\"k\":1},";
  nested += "{}]}";
  std::ofstream(dir + "/nested.jsonl") << "{\"ok\": 1}\n" << nested << "\n";
  try {
    r1::read_jsonl(dir + "/nested.jsonl");
    FAIL("accepted");
  } catch (const r1::InputError& e) {
    CHECK(std::string(e.what()).find("nested.jsonl:2: a row of") != std::string::npos);
    CHECK(std::string(e.what()).find("bytes per character") != std::string::npos);
  }
  // A long but plain row (one big string) is fine.
  std::ofstream(dir + "/long.jsonl") << "{\"text\": \"" << std::string(3u << 20, 'x') << "\"}\n";
  CHECK(r1::read_jsonl(dir + "/long.jsonl").size() == 1);
  ::setenv("R1_JSONL_MAX_ROW_BYTES", "1000", 1);
  CHECK_THROWS_WITH(r1::read_jsonl(dir + "/long.jsonl"), Catch::Contains("long.jsonl:1: a row of") &&
                                                            Catch::Contains("over the limit of 1000"));
  ::unsetenv("R1_JSONL_MAX_ROW_BYTES");
}
