// Safetensors: bit-exact round trips for every dtype, a hand-built file in Python's layout, and every kind of
// corrupt header rejected with an InputError that names the file, the tensor and the problem.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <torch/torch.h>

#include "r1/io/jsonl.h"
#include "r1/io/safetensors.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("r1-safetensors-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string le64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A file from header text and data bytes, exactly as given (no padding, no checks).
std::string make_file(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

std::string repeat_byte(size_t n, char c = '\x01') { return std::string(n, c); }

bool same_bits(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  at::Tensor ca = a.contiguous(), cb = b.contiguous();
  size_t n = static_cast<size_t>(ca.numel()) * ca.element_size();
  return n == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), n) == 0;
}

// Parses `bytes` expecting an InputError whose message names the source and contains every `parts` entry.
void expect_rejected(const std::string& bytes, const std::vector<std::string>& parts) {
  INFO("expected parts: " << parts.front());
  bool threw = false;
  try {
    r1::parse_safetensors(bytes, "bad.safetensors");
  } catch (const r1::InputError& e) {
    threw = true;
    std::string msg = e.what();
    INFO("message: " << msg);
    CHECK(msg.find("bad.safetensors") != std::string::npos);
    for (const auto& p : parts) CHECK(msg.find(p) != std::string::npos);
    CHECK(e.exit_code() == 2);
  }
  CHECK(threw);
}

std::map<std::string, at::Tensor> every_dtype_tensors() {
  torch::manual_seed(7);
  std::map<std::string, at::Tensor> t;
  t["f64"] = torch::randn({3, 2}, torch::kDouble);
  t["f32"] = torch::tensor({0.0f, -0.0f, 1.5f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max()});
  // Arbitrary 16-bit patterns (NaN payloads and subnormals included) reinterpreted as bf16 / f16.
  t["bf16"] = torch::randint(-32768, 32768, {4, 5}, torch::kShort).view(torch::kBFloat16);
  t["f16"] = torch::randint(-32768, 32768, {2, 3, 4}, torch::kShort).view(torch::kHalf);
  t["i64"] = torch::tensor({std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                            std::numeric_limits<int64_t>::max()});
  t["i32"] = torch::randint(-100000, 100000, {7}, torch::kInt);
  t["i16"] = torch::randint(-32768, 32768, {3, 3}, torch::kShort);
  t["i8"] = torch::randint(-128, 128, {9}, torch::kChar);
  t["u8"] = torch::randint(0, 256, {2, 8}, torch::kByte);
  t["bool"] = torch::tensor({true, false, false, true, true});
  t["scalar"] = torch::tensor(3.25f);                             // 0-d
  t["empty"] = torch::empty({0, 3}, torch::kBFloat16);            // no elements
  t["strided"] = torch::arange(12, torch::kFloat).view({3, 4}).t();  // not contiguous
  return t;
}

}  // namespace

TEST_CASE("safetensors round trip is bit-exact for every dtype, 0-d and empty tensors", "[io]") {
  TempDir tmp;
  auto tensors = every_dtype_tensors();
  std::string path = (tmp.path / "all.safetensors").string();
  std::map<std::string, std::string> meta = {{"format", "pt"}, {"note", "héllo \"quoted\""}};
  r1::save_safetensors(path, tensors, meta);

  std::map<std::string, std::string> meta_back;
  auto loaded = r1::load_safetensors(path, &meta_back);
  REQUIRE(meta_back == meta);
  REQUIRE(loaded.size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    REQUIRE(loaded.count(name) == 1);
    const at::Tensor& l = loaded.at(name);
    CHECK(l.device().is_cpu());
    CHECK(l.is_contiguous());
    CHECK(same_bits(l, t));
  }
  CHECK(loaded.at("scalar").dim() == 0);
  CHECK(loaded.at("scalar").item<float>() == 3.25f);
  CHECK(loaded.at("empty").sizes() == at::IntArrayRef({0, 3}));
  CHECK(loaded.at("strided").equal(torch::arange(12, torch::kFloat).view({3, 4}).t()));

  // The in-memory parser agrees with the file reader.
  std::string bytes = r1::read_file(path);
  auto parsed = r1::parse_safetensors(bytes, path);
  for (const auto& [name, t] : tensors) CHECK(same_bits(parsed.at(name), t));

  // Layout: header padded to a multiple of 8, entries named in sorted order, data packed in that order.
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  CHECK(n % 8 == 0);
  CHECK(bytes[8] == '{');
  auto infos = r1::parse_safetensors_header(bytes, path);
  REQUIRE(infos.size() == tensors.size());
  uint64_t offset = 0;
  for (size_t i = 0; i < infos.size(); ++i) {
    if (i) CHECK(infos[i - 1].name < infos[i].name);
    CHECK(infos[i].begin == offset);
    offset = infos[i].end;
  }
  CHECK(8 + n + offset == bytes.size());
  CHECK(infos.front().name == "bf16");
  CHECK(infos.front().dtype == "BF16");
  CHECK(infos.front().shape == std::vector<int64_t>{4, 5});
}

TEST_CASE("safetensors save replaces an existing file and leaves no temp files", "[io]") {
  TempDir tmp;
  std::string path = (tmp.path / "sub" / "w.safetensors").string();
  r1::save_safetensors(path, {{"a", torch::ones({2})}});
  r1::save_safetensors(path, {{"b", torch::zeros({3}, torch::kLong)}});
  auto loaded = r1::load_safetensors(path);
  REQUIRE(loaded.size() == 1);
  CHECK(loaded.at("b").equal(torch::zeros({3}, torch::kLong)));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path / "sub")) {
    (void)e;
    ++files;
  }
  CHECK(files == 1);
  // An empty map is a valid file too.
  r1::save_safetensors(path, {});
  CHECK(r1::load_safetensors(path).empty());
}

TEST_CASE("safetensors save rejects what it cannot store", "[io]") {
  TempDir tmp;
  std::string path = (tmp.path / "x.safetensors").string();
  CHECK_THROWS_AS(r1::save_safetensors(path, {{"c", torch::zeros({2}, torch::kComplexFloat)}}), r1::RuntimeFailure);
  CHECK_THROWS_WITH(r1::save_safetensors(path, {{"c", torch::zeros({2}, torch::kComplexFloat)}}),
                    Catch::Contains("\"c\"") && Catch::Contains("dtype"));
  CHECK_THROWS_AS(r1::save_safetensors(path, {{"__metadata__", torch::zeros({2})}}), r1::RuntimeFailure);
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("safetensors reads a file in Python's layout (hand-built bytes)", "[io]") {
  // As safetensors.torch.save_file writes: metadata first, data ordered by dtype alignment then name (so not
  // by header order), header padded with spaces.
  std::string header =
      R"({"__metadata__":{"format":"pt"},"a.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b.bias":{"dtype":"BF16","shape":[],"data_offsets":[12,14]},)"
      R"("c.idx":{"dtype":"I16","shape":[2,1],"data_offsets":[8,12]}})";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string data;
  data += std::string("\x00\x00\xc0\x3f", 4);  // 1.5f
  data += std::string("\x00\x00\x20\xc1", 4);  // -10.0f
  data += std::string("\x05\x00", 2);          // 5
  data += std::string("\xff\xff", 2);          // -1
  data += std::string("\x00\xc0", 2);          // bf16 -2.0
  std::string bytes = make_file(header, data);

  std::map<std::string, std::string> meta;
  auto t = r1::parse_safetensors(bytes, "python.safetensors", &meta);
  CHECK(meta.at("format") == "pt");
  REQUIRE(t.size() == 3);
  CHECK(t.at("a.weight").scalar_type() == torch::kFloat);
  CHECK(t.at("a.weight").equal(torch::tensor({1.5f, -10.0f})));
  CHECK(t.at("b.bias").scalar_type() == torch::kBFloat16);
  CHECK(t.at("b.bias").dim() == 0);
  CHECK(t.at("b.bias").to(torch::kFloat).item<float>() == -2.0f);
  CHECK(t.at("c.idx").scalar_type() == torch::kShort);
  CHECK(t.at("c.idx").equal(torch::tensor({5, -1}, torch::kShort).view({2, 1})));

  // The same bytes from disk.
  TempDir tmp;
  std::string path = (tmp.path / "py.safetensors").string();
  r1::write_file_atomic(path, bytes);
  CHECK(r1::load_safetensors(path).at("a.weight").equal(torch::tensor({1.5f, -10.0f})));

  // Trailing bytes not covered by any entry are tolerated.
  CHECK(r1::parse_safetensors(bytes + "junk", "tail.safetensors").size() == 3);
}

TEST_CASE("safetensors truncated at any point is an InputError", "[io]") {
  std::string bytes;
  {
    TempDir tmp;
    std::string path = (tmp.path / "w.safetensors").string();
    r1::save_safetensors(path, {{"w", torch::randn({4, 4})}, {"b", torch::randn({4})}});
    bytes = r1::read_file(path);
  }
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  expect_rejected(bytes.substr(0, 0), {"shorter than the 8-byte header length"});
  expect_rejected(bytes.substr(0, 5), {"shorter than the 8-byte header length"});
  expect_rejected(bytes.substr(0, 8), {"runs past the end"});
  expect_rejected(bytes.substr(0, 8 + n / 2), {"runs past the end"});
  expect_rejected(bytes.substr(0, 8 + n), {"run past the end of the data section"});
  expect_rejected(bytes.substr(0, 8 + n + 7), {"run past the end of the data section"});
  expect_rejected(bytes.substr(0, bytes.size() - 1), {"tensor \"w\"", "run past the end of the data section"});
}

TEST_CASE("safetensors header length and JSON problems are InputErrors", "[io]") {
  std::string good = R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  CHECK(r1::parse_safetensors(make_file(good, repeat_byte(4, 0)), "ok").size() == 1);

  expect_rejected(le64(uint64_t{1} << 60) + good, {"header length", "exceeds"});
  expect_rejected(le64(200) + good, {"header length 200 runs past the end"});
  expect_rejected(le64(0) + good, {"header length 0 is too small"});
  expect_rejected(le64(1) + good, {"too small"});
  expect_rejected(make_file("{\"x\": [1, 2", ""), {"not valid JSON"});
  expect_rejected(make_file("\xff\xfe{}", ""), {"not valid JSON"});
  expect_rejected(make_file("{\"\xff\": 1}", ""), {"not valid JSON"});
  expect_rejected(make_file("[1, 2, 3]", ""), {"must be a JSON object", "an array"});
  expect_rejected(make_file("\"text\"", ""), {"must be a JSON object"});
  expect_rejected(make_file(std::string(100, '[') + std::string(100, ']'), ""), {"nests deeper"});
  expect_rejected(make_file(R"({"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"x":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})", ""),
                  {"tensor \"x\"", "listed twice"});
}

TEST_CASE("safetensors entry problems name the tensor and the problem", "[io]") {
  auto file = [](const std::string& entry, size_t data_bytes) {
    return make_file("{\"t\":" + entry + "}", repeat_byte(data_bytes, 0));
  };
  expect_rejected(file("5", 0), {"tensor \"t\"", "expected an object"});
  expect_rejected(file(R"({"shape":[1],"data_offsets":[0,4]})", 4), {"tensor \"t\"", "missing \"dtype\""});
  expect_rejected(file(R"({"dtype":7,"shape":[1],"data_offsets":[0,4]})", 4), {"dtype: expected a string"});
  expect_rejected(file(R"({"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]})", 1),
                  {"tensor \"t\"", "unsupported dtype \"F8_E4M3\""});
  expect_rejected(file(R"({"dtype":"F32","data_offsets":[0,4]})", 4), {"missing \"shape\""});
  expect_rejected(file(R"({"dtype":"F32","shape":4,"data_offsets":[0,4]})", 4), {"shape: expected a list"});
  expect_rejected(file(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})", 4),
                  {"tensor \"t\"", "shape[0]: expected a non-negative integer, got -1"});
  expect_rejected(file(R"({"dtype":"F32","shape":[2,1.5],"data_offsets":[0,4]})", 4),
                  {"shape[1]: expected a non-negative integer"});
  expect_rejected(file(R"({"dtype":"F32","shape":["2"],"data_offsets":[0,8]})", 8),
                  {"shape[0]: expected a non-negative integer"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1]})", 4), {"missing \"data_offsets\""});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":[0]})", 4), {"data_offsets: expected [begin, end]"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4,8]})", 8), {"data_offsets: expected"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":[-4,0]})", 4), {"data_offsets: expected"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":{"a":1}})", 4), {"data_offsets: expected"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":[4,8]})", 4),
                  {"tensor \"t\"", "data_offsets [4, 8] run past the end of the data section (4 bytes"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})", 8), {"begin is after end"});
  expect_rejected(file(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})", 8),
                  {"tensor \"t\"", "hold 8 bytes", "needs 12"});
  expect_rejected(file(R"({"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]})", 4),
                  {"tensor \"t\"", "too many elements"});
  expect_rejected(file(R"({"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]})", 8),
                  {"too many elements"});
  expect_rejected(file(R"({"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,4]})", 4),
                  {"shape[0]", "too large"});
  // A lying header must not cause a huge allocation: 4 TiB claimed, 4 bytes present.
  expect_rejected(file(R"({"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]})", 4),
                  {"run past the end of the data section"});
  expect_rejected(file(R"({"dtype":"BOOL","shape":[2],"data_offsets":[0,2]})", 0) + std::string("\x01\x02", 2),
                  {"tensor \"t\"", "BOOL element 1 has byte value 2"});
  // A zero-sized dimension makes any other dimension harmless.
  CHECK(r1::parse_safetensors(file(R"({"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]})", 0),
                              "zero")
            .at("t")
            .numel() == 0);
}

TEST_CASE("safetensors overlapping entries and bad metadata are rejected", "[io]") {
  expect_rejected(make_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                            repeat_byte(12, 0)),
                  {"tensor \"b\"", "overlap tensor \"a\""});
  expect_rejected(make_file(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                            repeat_byte(16, 0)),
                  {"overlap"});
  expect_rejected(make_file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                            R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})",
                            repeat_byte(4, 0)),
                  {"overlap"});
  // Zero-sized entries at a shared offset and gaps between entries are fine.
  CHECK(r1::parse_safetensors(make_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                                        R"("c":{"dtype":"U8","shape":[2],"data_offsets":[10,12]}})",
                                        repeat_byte(12, 0)),
                              "gaps")
            .size() == 3);

  std::string x = R"("x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]})";
  expect_rejected(make_file(R"({"__metadata__":{"format":5},)" + x + "}", "a"),
                  {"__metadata__ key \"format\": expected a string, got 5"});
  expect_rejected(make_file(R"({"__metadata__":["pt"],)" + x + "}", "a"), {"__metadata__ must be an object"});
  std::map<std::string, std::string> meta = {{"stale", "value"}};
  CHECK(r1::parse_safetensors(make_file(R"({"__metadata__":null,)" + x + "}", "a"), "m", &meta).size() == 1);
  CHECK(meta.empty());
}

TEST_CASE("load_safetensors errors name the path", "[io]") {
  TempDir tmp;
  CHECK_THROWS_AS(r1::load_safetensors((tmp.path / "missing.safetensors").string()), r1::InputError);
  CHECK_THROWS_WITH(r1::load_safetensors(tmp.path.string()), Catch::Contains("found a directory"));
  std::string path = (tmp.path / "trunc.safetensors").string();
  r1::save_safetensors(path, {{"weight", torch::ones({8})}});
  std::string bytes = r1::read_file(path);
  r1::write_file_atomic(path, bytes.substr(0, bytes.size() - 3));
  CHECK_THROWS_WITH(r1::load_safetensors(path),
                    Catch::Contains(path) && Catch::Contains("\"weight\"") && Catch::Contains("data section"));
  r1::write_file_atomic(path, "abc");
  CHECK_THROWS_WITH(r1::load_safetensors(path), Catch::Contains(path) && Catch::Contains("shorter than"));
  CHECK(r1::safetensors_dtype_size("BF16") == 2);
  CHECK(r1::safetensors_dtype_size("F64") == 8);
  CHECK(r1::safetensors_dtype_size("F8_E5M2") == 0);
}
