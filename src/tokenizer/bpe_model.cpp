// BPE vocabulary and merges from tokenizer.json, and the heap-driven merge loop over byte-level symbols.
#include "r1/tokenizer/bpe_model.h"

#include <algorithm>

#include "r1/tokenizer/byte_level.h"
#include "r1/tokenizer/hf_json.h"

namespace r1 {
namespace {

constexpr size_t kCacheEntries = 1 << 16;    // pre-tokens kept in the cache
constexpr size_t kMaxCachedWordBytes = 256;  // longer pre-tokens (runs of spaces, ...) are not cached
constexpr long long kMaxId = 1LL << 26;      // ids must stay below this (a guard against absurd files)

const std::string kEmpty;

// A symbol of the word being merged: a token id in a doubly linked list over the initial positions.
struct Symbol {
  int id;
  int prev;
  int next;
};

// A candidate merge of the symbol at `pos` (id `left`) with its right neighbour (id `right`) into `result`.
struct Candidate {
  int rank;
  int pos;
  int left;
  int right;
  int result;
  bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

void refuse_if_set(const nlohmann::json& model, const std::string& key, const std::string& file,
                   const std::string& why) {
  const auto* v = hf_json::find(model, key, file, "model");
  if (!v || v->is_null() || (v->is_string() && v->get_ref<const std::string&>().empty())) return;
  hf_json::fail(file, "model." + key, why + " (got " + hf_json::describe(*v) + ")");
}

// Splits a merges entry ("a b" or ["a", "b"]) into its two tokens (views into `entry`).
std::pair<std::string_view, std::string_view> merge_parts(const nlohmann::json& entry, const std::string& file,
                                                          const std::string& path) {
  if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string())
    return {entry[0].get_ref<const std::string&>(), entry[1].get_ref<const std::string&>()};
  if (entry.is_string()) {
    std::string_view s = entry.get_ref<const std::string&>();
    size_t space = s.find(' ');
    if (space != std::string::npos && space > 0 && space + 1 < s.size() && s.find(' ', space + 1) == std::string::npos)
      return {s.substr(0, space), s.substr(space + 1)};
  }
  hf_json::fail(file, path, "expected \"left right\" or [\"left\", \"right\"], got " + hf_json::describe(entry));
}

}  // namespace

BpeModel BpeModel::from_json(const nlohmann::json& model, const std::string& file) {
  if (!model.is_object()) hf_json::fail(file, "model", "expected an object, got " + hf_json::describe(model));
  const auto* type = hf_json::find(model, "type", file, "model");
  std::string type_name = type && type->is_string() ? type->get<std::string>() : "";
  if (type && type_name != "BPE") {
    if (type_name == "WordPiece" || type_name == "Unigram" || type_name == "WordLevel")
      hf_json::fail(file, "model.type", type_name + " models are not supported (only byte-level BPE is)");
    hf_json::fail(file, "model.type", "unknown model type " + hf_json::describe(*type) + " (only BPE is supported)");
  }
  if (!type && !hf_json::find(model, "merges", file, "model"))
    hf_json::fail(file, "model.type", "missing, and the model has no merges: not a BPE model");
  if (hf_json::get_bool(model, "byte_fallback", false, file, "model"))
    hf_json::fail(file, "model.byte_fallback", "true is not supported (byte-level BPE needs no byte fallback)");
  const auto* dropout = hf_json::find(model, "dropout", file, "model");
  if (dropout && !dropout->is_null() && !(dropout->is_number() && dropout->get<double>() == 0.0))
    hf_json::fail(file, "model.dropout", "BPE dropout is not supported (got " + hf_json::describe(*dropout) + ")");
  refuse_if_set(model, "continuing_subword_prefix", file, "a continuing-subword prefix is not supported");
  refuse_if_set(model, "end_of_word_suffix", file, "an end-of-word suffix is not supported");

  BpeModel m;
  m.read_vocab(hf_json::require(model, "vocab", file, "model"), file);
  m.read_merges(hf_json::require(model, "merges", file, "model"), file);
  m.ignore_merges_ = hf_json::get_bool(model, "ignore_merges", false, file, "model");
  m.fuse_unk_ = hf_json::get_bool(model, "fuse_unk", false, file, "model");
  if (const auto* unk = hf_json::find(model, "unk_token", file, "model"); unk && !unk->is_null()) {
    if (!unk->is_string())
      hf_json::fail(file, "model.unk_token", "expected a string or null, got " + hf_json::describe(*unk));
    m.unk_id_ = m.token_to_id(unk->get_ref<const std::string&>());
    if (m.unk_id_ < 0) hf_json::fail(file, "model.unk_token", hf_json::describe(*unk) + " is not in the vocabulary");
  }
  for (int b = 0; b < 256; ++b) m.byte_ids_[b] = m.token_to_id(byte_level::char_of(static_cast<unsigned char>(b)));
  m.cache_ = std::make_shared<WordCache>(kCacheEntries);
  return m;
}

void BpeModel::read_vocab(const nlohmann::json& vocab, const std::string& file) {
  if (!vocab.is_object())
    hf_json::fail(file, "model.vocab", "expected an object {token: id}, got " + hf_json::describe(vocab));
  long long max_id = -1;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer() || it.value().get<long long>() < 0 || it.value().get<long long>() >= kMaxId)
      hf_json::fail(file, "model.vocab." + it.key(),
                    "expected an id in [0, 2^26), got " + hf_json::describe(it.value()));
    max_id = std::max(max_id, it.value().get<long long>());
  }
  tokens_.assign(static_cast<size_t>(max_id + 1), std::string());
  bytes_.assign(static_cast<size_t>(max_id + 1), std::string());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    int id = it.value().get<int>();
    if (!tokens_[id].empty())
      hf_json::fail(file, "model.vocab",
                    "id " + std::to_string(id) + " is given to both " + hf_json::describe(tokens_[id]) + " and " +
                        hf_json::describe(it.key()));
    tokens_[id] = it.key();
    bytes_[id] = byte_level::token_bytes(it.key());
  }
  index_.build(tokens_);
}

void BpeModel::read_merges(const nlohmann::json& merges, const std::string& file) {
  if (!merges.is_array()) hf_json::fail(file, "model.merges", "expected a list, got " + hf_json::describe(merges));
  merges_.reserve(merges.size());
  std::string merged;
  for (size_t i = 0; i < merges.size(); ++i) {
    auto [left, right] = merge_parts(merges[i], file, hf_json::item_path("model.merges", i));
    merged.assign(left).append(right);
    int a = token_to_id(left), b = token_to_id(right), c = token_to_id(merged);
    if (a < 0 || b < 0 || c < 0) {
      std::string path = hf_json::item_path("model.merges", i);
      std::string missing = a < 0 ? std::string(left) : b < 0 ? std::string(right) : merged;
      hf_json::fail(file, path,
                    (c < 0 && a >= 0 && b >= 0 ? "the merged token " : "") + hf_json::describe(missing) +
                        " is not in the vocabulary");
    }
    merges_.set(a, b, static_cast<int>(i), c);  // a repeated pair keeps its last rank, as HF does
  }
}

const std::string& BpeModel::token(int id) const {
  return id >= 0 && id < id_end() ? tokens_[static_cast<size_t>(id)] : kEmpty;
}

const std::string& BpeModel::token_bytes(int id) const {
  return id >= 0 && id < id_end() ? bytes_[static_cast<size_t>(id)] : kEmpty;
}

void BpeModel::encode_word(std::string_view word, std::vector<int>& out) const {
  if (word.empty()) return;
  if (word.size() == 1 && byte_ids_[static_cast<unsigned char>(word[0])] >= 0) {
    out.push_back(byte_ids_[static_cast<unsigned char>(word[0])]);
    return;
  }
  bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable && cache_->find(word, out)) return;
  size_t first = out.size();
  int whole = ignore_merges_ ? token_to_id(byte_level::encode(word)) : -1;
  if (whole >= 0)
    out.push_back(whole);
  else
    merge_word(word, out);
  if (cacheable) cache_->insert(word, out.data() + first, out.size() - first);
}

// Starts from one symbol per byte and repeatedly applies the lowest-ranked merge present (leftmost first among
// equal ranks), as HF's BPE does. Heap entries that went stale (a neighbour merged away) are skipped when popped.
void BpeModel::merge_word(std::string_view word, std::vector<int>& out) const {
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> heap;
  symbols.clear();
  heap.clear();
  for (char c : word) {
    int id = byte_ids_[static_cast<unsigned char>(c)];
    if (id < 0) {
      if (unk_id_ < 0) continue;  // HF drops characters it cannot represent when there is no unk token
      if (fuse_unk_ && !symbols.empty() && symbols.back().id == unk_id_) continue;
      id = unk_id_;
    }
    int pos = static_cast<int>(symbols.size());
    symbols.push_back(Symbol{id, pos - 1, -1});
    if (pos > 0) symbols[pos - 1].next = pos;
  }
  auto push_candidate = [&](int pos) {
    if (pos < 0 || symbols[pos].next < 0) return;
    int left = symbols[pos].id, right = symbols[symbols[pos].next].id;
    if (const MergeTable::Entry* m = merges_.find(left, right)) {
      heap.push_back(Candidate{m->rank, pos, left, right, m->result});
      std::push_heap(heap.begin(), heap.end(), std::greater<Candidate>());
    }
  };
  for (int pos = 0; pos + 1 < static_cast<int>(symbols.size()); ++pos) push_candidate(pos);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<Candidate>());
    Candidate top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[top.pos];
    if (left.id != top.left || left.next < 0) continue;  // merged away, changed, or now last
    Symbol& right = symbols[left.next];
    if (right.id != top.right) continue;  // the right neighbour changed since this entry was pushed
    left.id = top.result;
    int after = right.next;
    right.id = -1;
    left.next = after;
    if (after >= 0) symbols[after].prev = top.pos;
    push_candidate(left.prev);
    push_candidate(top.pos);
  }
  for (int pos = symbols.empty() ? -1 : 0; pos >= 0; pos = symbols[pos].next) out.push_back(symbols[pos].id);
}

}  // namespace r1
