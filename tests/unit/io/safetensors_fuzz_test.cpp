// Seeded fuzzing of the safetensors reader: mutated, truncated, extended and random files only ever give a
// clean InputError or a successful parse — never a crash, another exception type, or a bounds violation.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <torch/torch.h>

#include "r1/io/safetensors.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/rng.h"

namespace fs = std::filesystem;

namespace {

// A valid file with several dtypes, a 0-d and an empty tensor, and metadata.
std::string valid_file() {
  fs::path path = fs::temp_directory_path() / ("r1-st-fuzz-" + std::to_string(::getpid()) + ".safetensors");
  torch::manual_seed(3);
  r1::save_safetensors(path.string(),
                       {{"model.embed_tokens.weight", torch::randn({5, 4}).to(torch::kBFloat16)},
                        {"model.norm.weight", torch::randn({4})},
                        {"step", torch::tensor(int64_t{42})},
                        {"mask", torch::tensor({true, false, true})},
                        {"rng", torch::randint(0, 256, {6}, torch::kByte)},
                        {"half", torch::randn({2, 2}).to(torch::kHalf)},
                        {"none", torch::empty({0}, torch::kInt)}},
                       {{"format", "pt"}});
  std::string bytes = r1::read_file(path);
  fs::remove(path);
  return bytes;
}

std::string random_bytes(r1::Rng& rng, size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng.below(256));
  return out;
}

// Characters that keep a mutated header close to JSON, so the validation paths (not just the parser) are hit.
char json_char(r1::Rng& rng) {
  static const std::string chars = "{}[]\":,-.0123456789eE tfnul\\FIUB18624";
  return chars[rng.below(chars.size())];
}

std::string mutate(const std::string& base, r1::Rng& rng) {
  std::string s = base;
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(base[i]);
  size_t header_end = static_cast<size_t>(8 + header_len);
  switch (rng.below(10)) {
    case 0:  // truncate anywhere
      s.resize(rng.below(s.size() + 1));
      break;
    case 1:  // extend with random bytes
      s += random_bytes(rng, rng.below(64) + 1);
      break;
    case 2: {  // flip random bytes anywhere
      int flips = static_cast<int>(rng.below(4)) + 1;
      for (int i = 0; i < flips; ++i) s[rng.below(s.size())] = static_cast<char>(rng.below(256));
      break;
    }
    case 3: {  // JSON-ish characters into the header
      int edits = static_cast<int>(rng.below(3)) + 1;
      for (int i = 0; i < edits; ++i) s[8 + rng.below(header_len)] = json_char(rng);
      break;
    }
    case 4: {  // change one digit of the header (shapes, offsets)
      std::vector<size_t> digits;
      for (size_t i = 8; i < header_end; ++i)
        if (s[i] >= '0' && s[i] <= '9') digits.push_back(i);
      if (!digits.empty()) s[digits[rng.below(digits.size())]] = static_cast<char>('0' + rng.below(10));
      break;
    }
    case 5: {  // insert or delete a byte in the header (length prefix now lies)
      size_t pos = 8 + rng.below(header_len);
      if (rng.bernoulli(0.5)) s.insert(s.begin() + static_cast<long>(pos), json_char(rng));
      else s.erase(pos, 1);
      break;
    }
    case 6: {  // rewrite the length prefix
      uint64_t n = rng.bernoulli(0.5) ? rng.next_u64() : header_len + rng.below(32) - 16;
      for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
      break;
    }
    case 7:  // pure garbage
      s = random_bytes(rng, rng.below(200));
      break;
    case 8: {  // garbage behind a plausible length prefix
      uint64_t n = rng.below(120);
      s = std::string(8, '\0');
      for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
      s += random_bytes(rng, rng.below(160));
      break;
    }
    default: {  // swap two header bytes
      size_t a = 8 + rng.below(header_len), b = 8 + rng.below(header_len);
      std::swap(s[a], s[b]);
      break;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("safetensors fuzz: only InputError or success", "[io]") {
  const std::string base = valid_file();
  REQUIRE(r1::parse_safetensors(base, "base").size() == 7);
  r1::Rng rng(r1::derive_seed(20240601, "safetensors-fuzz"));
  int ok = 0, rejected = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string bytes = mutate(base, rng);
    try {
      auto tensors = r1::parse_safetensors(bytes, "fuzz.safetensors");
      for (const auto& [name, t] : tensors) REQUIRE(t.device().is_cpu());
      (void)r1::parse_safetensors_header(bytes, "fuzz.safetensors");
      ++ok;
    } catch (const r1::InputError& e) {
      REQUIRE(std::string(e.what()).find("fuzz.safetensors") != std::string::npos);
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("iteration " << iter << ": unexpected exception: " << e.what());
    }
  }
  INFO("ok " << ok << ", rejected " << rejected);
  CHECK(ok > 100);        // data-only mutations and tolerated tails still load
  CHECK(rejected > 1000);  // most header mutations are caught
}

TEST_CASE("safetensors fuzz through files: load_safetensors only gives InputError or success", "[io]") {
  const std::string base = valid_file();
  fs::path path = fs::temp_directory_path() / ("r1-st-fuzz-file-" + std::to_string(::getpid()) + ".safetensors");
  r1::Rng rng(r1::derive_seed(7, "safetensors-file-fuzz"));
  int rejected = 0;
  for (int iter = 0; iter < 300; ++iter) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);  // no fsync: speed matters here
      out << mutate(base, rng);
    }
    try {
      r1::load_safetensors(path.string());
    } catch (const r1::InputError& e) {
      REQUIRE(std::string(e.what()).find(path.string()) != std::string::npos);
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("iteration " << iter << ": unexpected exception: " << e.what());
    }
  }
  fs::remove(path);
  CHECK(rejected > 100);
}
