// The tokenizer facade: Hugging Face tokenizer.json through HfTokenizer, SentencePiece through libr1_spm, loaded
// into its own link-map namespace (see spm_shim/spm_shim.h).
#include "r1/tokenizer/tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <mutex>

#include "spm_shim/spm_shim.h"
#include "r1/tokenizer/hf_tokenizer.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/strings.h"

#ifndef R1_SPM_BUILD_DIR
#define R1_SPM_BUILD_DIR ""
#endif

namespace r1 {

namespace {

struct SpmApi {
  decltype(&r1_spm_load) load;
  decltype(&r1_spm_free) free;
  decltype(&r1_spm_encode) encode;
  decltype(&r1_spm_decode) decode;
  decltype(&r1_spm_piece_size) piece_size;
  decltype(&r1_spm_id_to_piece) id_to_piece;
  decltype(&r1_spm_piece_to_id) piece_to_id;
  decltype(&r1_spm_special_id) special_id;
  decltype(&r1_spm_is_control) is_control;
  decltype(&r1_spm_is_byte) is_byte;
  decltype(&r1_spm_train) train;
};

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

const SpmApi& api() {
  static SpmApi table = [] {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("R1_SPM_LIBRARY")) candidates.emplace_back(env);
    std::string dir = exe_dir();
    if (!dir.empty()) {
      candidates.push_back(dir + "/libr1_spm.so");
      candidates.push_back(dir + "/../lib/libr1_spm.so");
    }
    if (std::string(R1_SPM_BUILD_DIR).size()) candidates.push_back(std::string(R1_SPM_BUILD_DIR) + "/libr1_spm.so");
    void* handle = nullptr;
    std::string errors;
    for (const auto& c : candidates) {
      if (!std::filesystem::exists(c)) continue;
      handle = dlmopen(LM_ID_NEWLM, c.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) break;
      errors += std::string(" (") + dlerror() + ")";
    }
    if (!handle)
      throw RuntimeFailure("cannot load libr1_spm.so (SentencePiece); looked in: " + join(candidates, ", ") + errors +
                           ". Set R1_SPM_LIBRARY to its path.");
    SpmApi t{};
    auto sym = [&](const char* name) {
      void* p = dlsym(handle, name);
      if (!p) throw RuntimeFailure(std::string("libr1_spm.so lacks ") + name);
      return p;
    };
    t.load = reinterpret_cast<decltype(t.load)>(sym("r1_spm_load"));
    t.free = reinterpret_cast<decltype(t.free)>(sym("r1_spm_free"));
    t.encode = reinterpret_cast<decltype(t.encode)>(sym("r1_spm_encode"));
    t.decode = reinterpret_cast<decltype(t.decode)>(sym("r1_spm_decode"));
    t.piece_size = reinterpret_cast<decltype(t.piece_size)>(sym("r1_spm_piece_size"));
    t.id_to_piece = reinterpret_cast<decltype(t.id_to_piece)>(sym("r1_spm_id_to_piece"));
    t.piece_to_id = reinterpret_cast<decltype(t.piece_to_id)>(sym("r1_spm_piece_to_id"));
    t.special_id = reinterpret_cast<decltype(t.special_id)>(sym("r1_spm_special_id"));
    t.is_control = reinterpret_cast<decltype(t.is_control)>(sym("r1_spm_is_control"));
    t.is_byte = reinterpret_cast<decltype(t.is_byte)>(sym("r1_spm_is_byte"));
    t.train = reinterpret_cast<decltype(t.train)>(sym("r1_spm_train"));
    return t;
  }();
  return table;
}

// Decoded text of a byte piece "<0x0A>" -> "\n".
bool byte_piece_value(const std::string& piece, char& out) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return false;
  out = static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16));
  return true;
}

}  // namespace

struct Tokenizer::Handle {
  r1_spm* sp = nullptr;
  ~Handle() {
    if (sp) api().free(sp);
  }
};

namespace {
constexpr const char* kSpmFile = "tokenizer.model";
constexpr const char* kHfFile = "tokenizer.json";
constexpr const char* kHfConfigFile = "tokenizer_config.json";
constexpr const char* kTemplateFile = "chat_template.jinja";

std::string file_or_empty(const TokenizerFiles& files, const char* name) {
  auto it = files.find(name);
  return it == files.end() ? std::string() : it->second;
}
}  // namespace

Tokenizer Tokenizer::from_bytes(const std::string& bytes, const std::string& source) {
  const SpmApi& a = api();
  char err[512] = {0};
  r1_spm* sp = a.load(bytes.data(), bytes.size(), err, sizeof err);
  if (!sp) throw InputError(source + ": not a valid SentencePiece model (" + err + ")");
  Tokenizer t;
  t.handle_ = std::make_shared<Handle>();
  t.handle_->sp = sp;
  t.files_[kSpmFile] = bytes;
  t.vocab_size_ = a.piece_size(sp);
  t.bos_ = a.special_id(sp, 0);
  t.eos_ = a.special_id(sp, 1);
  t.pad_ = a.special_id(sp, 2);
  t.unk_ = a.special_id(sp, 3);
  if (t.eos_ < 0) throw InputError(source + ": the SentencePiece model has no eos piece (r1 needs one to stop)");
  if (t.pad_ < 0) t.pad_ = t.eos_;
  t.piece_text_.resize(t.vocab_size_);
  for (int id = 0; id < t.vocab_size_; ++id) {
    std::string piece = t.id_to_piece(id);
    char byte;
    if (a.is_control(sp, id)) t.piece_text_[id] = "";
    else if (a.is_byte(sp, id) && byte_piece_value(piece, byte)) t.piece_text_[id] = std::string(1, byte);
    else t.piece_text_[id] = replace_all(piece, "\xE2\x96\x81", " ");
  }
  return t;
}

Tokenizer Tokenizer::from_files(const TokenizerFiles& files, const std::string& dir) {
  if (!files.count(kHfFile)) {
    if (!files.count(kSpmFile))
      throw InputError(dir + ": no tokenizer (expected tokenizer.json or tokenizer.model)");
    return from_bytes(files.at(kSpmFile), (std::filesystem::path(dir) / kSpmFile).string());
  }
  auto hf = std::make_shared<const HfTokenizer>(HfTokenizer::from_strings(
      files.at(kHfFile), file_or_empty(files, kHfConfigFile), dir, file_or_empty(files, kTemplateFile)));
  Tokenizer t;
  t.hf_ = hf;
  for (const char* name : {kHfFile, kHfConfigFile, kTemplateFile})
    if (files.count(name)) t.files_[name] = files.at(name);
  t.vocab_size_ = hf->vocab_size();
  t.bos_ = hf->bos_id();
  t.eos_ = hf->eos_id();
  t.pad_ = hf->pad_id() >= 0 ? hf->pad_id() : t.eos_;
  t.piece_text_.resize(t.vocab_size_);
  for (int id = 0; id < t.vocab_size_; ++id) t.piece_text_[id] = hf->is_special(id) ? "" : hf->token_bytes(id);
  return t;
}

Tokenizer Tokenizer::load(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (!fs::exists(p)) throw InputError(path + ": no such tokenizer file or directory");
  TokenizerFiles files;
  if (fs::is_directory(p)) {
    for (const char* name : {kHfFile, kHfConfigFile, kTemplateFile, kSpmFile})
      if (fs::exists(p / name)) files[name] = read_file(p / name);
    if (files.count(kHfFile)) files.erase(kSpmFile);
    if (!files.count(kHfFile) && !files.count(kSpmFile))
      throw InputError(path + ": no tokenizer.json or tokenizer.model in this directory");
    return from_files(files, path);
  }
  if (p.filename() == kHfFile) return from_files({{kHfFile, read_file(p)}}, p.parent_path().string());
  return from_bytes(read_file(p), p.string());
}

std::vector<int> Tokenizer::eos_ids() const {
  std::vector<int> ids;
  if (eos_ >= 0) ids.push_back(eos_);
  ids.insert(ids.end(), extra_eos_.begin(), extra_eos_.end());
  return ids;
}

bool Tokenizer::is_eos(int id) const {
  return id >= 0 && (id == eos_ || std::find(extra_eos_.begin(), extra_eos_.end(), id) != extra_eos_.end());
}

void Tokenizer::add_eos_ids(const std::vector<int>& ids) {
  for (int id : ids)
    if (id >= 0 && !is_eos(id)) extra_eos_.push_back(id);
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  if (hf_) return hf_->encode(text, false);
  std::vector<int> ids(text.size() * 2 + 8);
  int n = api().encode(handle_->sp, text.data(), text.size(), ids.data(), static_cast<int>(ids.size()));
  if (n < 0) throw RuntimeFailure("tokenizer: encode failed for " + quote(text));
  if (n > static_cast<int>(ids.size())) {
    ids.resize(n);
    n = api().encode(handle_->sp, text.data(), text.size(), ids.data(), n);
  }
  ids.resize(n);
  return ids;
}

std::vector<int> Tokenizer::encode_with_special_tokens(const std::string& text) const {
  if (hf_) return hf_->encode(text, true);
  std::vector<int> ids;
  if (bos_ >= 0) ids.push_back(bos_);
  auto body = encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids, bool keep_special) const {
  for (int id : ids)
    if (id < 0 || id >= vocab_size_)
      throw InputError("tokenizer: id " + std::to_string(id) + " outside the vocabulary [0, " +
                       std::to_string(vocab_size_) + ")");
  if (hf_) return hf_->decode(ids, !keep_special);
  if (keep_special) {
    std::string out;
    for (int id : ids) out += piece_text_[id].empty() ? id_to_piece(id) : piece_text_[id];
    return out;
  }
  std::string out(ids.size() * 8 + 16, '\0');
  int n = api().decode(handle_->sp, ids.data(), static_cast<int>(ids.size()), out.data(), static_cast<int>(out.size()));
  if (n < 0) throw RuntimeFailure("tokenizer: decode failed");
  if (n > static_cast<int>(out.size())) {
    out.resize(n);
    n = api().decode(handle_->sp, ids.data(), static_cast<int>(ids.size()), out.data(), n);
  }
  out.resize(n);
  return out;
}

std::string Tokenizer::piece_text(int id) const {
  return id >= 0 && id < vocab_size_ ? piece_text_[id] : std::string();
}

std::string Tokenizer::id_to_piece(int id) const {
  if (hf_) return hf_->token(id);
  char buf[256];
  int n = api().id_to_piece(handle_->sp, id, buf, sizeof buf);
  if (n < 0) return "";
  if (n > static_cast<int>(sizeof buf)) {
    std::string big(n, '\0');
    api().id_to_piece(handle_->sp, id, big.data(), n);
    return big;
  }
  return std::string(buf, n);
}

int Tokenizer::piece_to_id(const std::string& piece) const {
  if (hf_) return hf_->token_to_id(piece);
  return api().piece_to_id(handle_->sp, piece.c_str());
}

const std::string& Tokenizer::chat_template() const {
  static const std::string none;
  return hf_ ? hf_->chat_template() : none;
}

namespace {
// Protocol-buffer wire format, just enough to walk a message's top-level fields.
bool read_varint(const std::string& b, size_t& pos, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < b.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(b[pos++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

void write_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Copies the fields of `msg` except those numbered in `drop`; `edit(field, bytes)` may rewrite length-delimited
// fields. Returns false on malformed input.
template <class Edit>
bool rewrite_fields(const std::string& msg, std::initializer_list<std::uint64_t> drop, Edit edit, std::string& out) {
  size_t pos = 0;
  while (pos < msg.size()) {
    const size_t start = pos;
    std::uint64_t key = 0, v = 0;
    if (!read_varint(msg, pos, key)) return false;
    const std::uint64_t field = key >> 3, wire = key & 7;
    std::string payload;
    if (wire == 0) {
      if (!read_varint(msg, pos, v)) return false;
    } else if (wire == 1 || wire == 5) {
      pos += wire == 1 ? 8 : 4;
    } else if (wire == 2) {
      if (!read_varint(msg, pos, v) || v > msg.size() - pos) return false;
      payload = msg.substr(pos, v);
      pos += v;
    } else {
      return false;
    }
    if (pos > msg.size()) return false;
    if (std::find(drop.begin(), drop.end(), field) != drop.end()) continue;
    if (wire == 2 && edit(field, payload)) {
      write_varint(out, key);
      write_varint(out, payload.size());
      out += payload;
    } else {
      out.append(msg, start, pos - start);
    }
  }
  return true;
}

// SentencePiece stores its training command's paths in the model (TrainerSpec.input = 1, .model_prefix = 2, inside
// ModelProto.trainer_spec = 2), so one corpus trained in two directories gave two different files. Drops them.
std::string without_training_paths(const std::string& model) {
  std::string out;
  bool ok = rewrite_fields(model, {}, [](std::uint64_t field, std::string& bytes) {
    if (field != 2) return false;
    std::string spec;
    if (!rewrite_fields(bytes, {1, 2}, [](std::uint64_t, std::string&) { return false; }, spec)) return false;
    bytes = spec;
    return true;
  }, out);
  return ok ? out : model;
}
}  // namespace

Tokenizer train_tokenizer(const std::string& corpus_file, const config::TokenizerConfig& cfg, const std::string& out_dir,
                          std::uint64_t seed) {
  make_dirs(out_dir);
  std::string prefix = (std::filesystem::path(out_dir) / "tokenizer").string();
  // Llama-style: identity normalisation, whitespace kept as is, byte fallback; ids pad 0, unk 1, bos 2, eos 3.
  std::string args = "--input=" + corpus_file + " --model_prefix=" + prefix +
                     " --vocab_size=" + std::to_string(cfg.vocab_size) + " --model_type=" + cfg.model_type +
                     " --character_coverage=" + std::to_string(cfg.character_coverage) +
                     " --split_digits=" + (cfg.split_digits ? "true" : "false") +
                     " --byte_fallback=" + (cfg.byte_fallback ? "true" : "false") +
                     " --normalization_rule_name=identity --remove_extra_whitespaces=false"
                     " --pad_id=0 --unk_id=1 --bos_id=2 --eos_id=3"
                     " --user_defined_symbols=" + join(kReasoningTags, ",") +
                     " --hard_vocab_limit=false --num_threads=1 --minloglevel=2 --input_sentence_size=2000000"
                     " --shuffle_input_sentence=true --seed_sentencepiece_size=200000";
  char err[1024] = {0};
  if (api().train(args.c_str(), static_cast<unsigned>(seed % 4294967295u), err, sizeof err) != 0)
    throw InputError("tokenizer training on " + corpus_file + " failed: " + err);
  std::error_code ec;
  std::filesystem::remove(prefix + ".vocab", ec);
  write_file_atomic(prefix + ".model", without_training_paths(read_file(prefix + ".model")));
  return Tokenizer::load(prefix + ".model");
}

}  // namespace r1
