// Run-directory safety (issue 28): the flock-based lock, r1's one temporary-name pattern and its clean-up, errno
// kept in messages, byte sizes that never print alike, shell-quoted resume commands.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/run_dir_lock.h"
#include "r1/util/signals.h"
#include "r1/util/strings.h"

namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& tag) {
  fs::path d = fs::temp_directory_path() / ("r1_run_safety_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("the run-dir lock admits one holder and names it to the next", "[util][reliability]") {
  fs::path dir = fresh_dir("lock");
  const char* args[] = {"/usr/bin/r1", "run", "recipe.yaml", "--from", "sft"};
  r1::set_command_line(5, args);
  {
    r1::RunDirLock first = r1::RunDirLock::acquire(dir);
    REQUIRE(first.held());
    try {
      r1::RunDirLock second = r1::RunDirLock::acquire(dir);  // a second open file description: flock refuses it
      FAIL("the second lock was granted");
    } catch (const r1::InputError& e) {
      std::string msg = e.what();
      CHECK(msg.find("is in use by another r1 process (pid " + std::to_string(::getpid())) != std::string::npos);
      CHECK(msg.find("r1 run recipe.yaml") != std::string::npos);
      CHECK(e.exit_code() == 2);
    }
  }
  // Released with its holder: the next one gets it.
  r1::RunDirLock again = r1::RunDirLock::acquire(dir);
  CHECK(again.held());
  fs::remove_all(dir);
}

TEST_CASE("temporary files share one pattern and are swept", "[util][reliability]") {
  fs::path dir = fresh_dir("tmp");
  fs::path tmp = r1::temp_sibling(dir / "data.jsonl");
  CHECK(r1::is_temp_name(tmp.filename().string()));
  CHECK_FALSE(r1::is_temp_name("data.jsonl"));
  std::ofstream(tmp) << "partial";
  fs::create_directories(dir / "sft" / "checkpoint-000002.r1tmp.99.0");
  std::ofstream(dir / "sft" / "checkpoint-000002.r1tmp.99.0" / "model.safetensors") << "x";
  std::ofstream(dir / "sft" / "keep.txt") << "mine";
  CHECK(r1::remove_temp_files(dir) == 2);
  CHECK_FALSE(fs::exists(tmp));
  CHECK(fs::exists(dir / "sft" / "keep.txt"));
  r1::write_file_atomic(dir / "out.txt", "hello");
  for (const auto& e : fs::directory_iterator(dir)) CHECK_FALSE(r1::is_temp_name(e.path().filename().string()));
  fs::remove_all(dir);
}

TEST_CASE("a failed atomic write names the real cause, not \"Success\"", "[util][reliability]") {
  fs::path dir = fresh_dir("errno");
  fs::create_directories(dir / "target" / "child");  // renaming a file over a non-empty directory fails
  try {
    r1::write_file_atomic(dir / "target", "x");
    FAIL("the write succeeded");
  } catch (const r1::RuntimeFailure& e) {
    std::string msg = e.what();
    CHECK(msg.find("rename of") != std::string::npos);
    CHECK(msg.find("Success") == std::string::npos);
    CHECK(msg.find("directory") != std::string::npos);  // "Is a directory"
  }
  CHECK(r1::remove_temp_files(dir) == 0);  // the failed write cleaned up after itself
  try {
    r1::read_file(dir / "missing.txt");
    FAIL("read succeeded");
  } catch (const r1::InputError& e) {
    CHECK(std::string(e.what()).find("No such file or directory") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("byte sizes print precisely enough to differ", "[util][reliability]") {
  CHECK(r1::format_bytes(512) == "512 B");
  CHECK(r1::format_bytes(2u << 20) != r1::format_bytes((2u << 20) + 4096));
  CHECK(r1::format_bytes(1441792) == "1.375 MiB (1441792 bytes)");
}

TEST_CASE("the resume command drops --from and --resume none and quotes for the shell", "[util][reliability]") {
  const char* args[] = {"./build/r1", "run", "my recipe.yaml", "--from", "sft", "--set", "run_dir=runs/a",
                        "--resume", "none"};
  r1::set_command_line(9, args);
  CHECK(r1::resume_command() == "r1 run 'my recipe.yaml' --set run_dir=runs/a");
  CHECK(r1::shell_quote("it's") == "'it'\\''s'");
  CHECK(r1::shell_quote("") == "''");
}

TEST_CASE("a stop request makes Interrupted exit 128 + the signal", "[util][reliability]") {
  r1::request_stop(15);
  try {
    r1::throw_if_stop_requested("[x] sampling stopped");
    FAIL("no throw");
  } catch (const r1::Interrupted& e) {
    CHECK(e.exit_code() == 143);
    CHECK(std::string(e.what()).find("Resume with: ") != std::string::npos);
  }
  r1::request_stop(2);
  CHECK(r1::stop_exit_code() == 130);
  r1::clear_stop_request();
  CHECK_NOTHROW(r1::throw_if_stop_requested("nothing"));
}
