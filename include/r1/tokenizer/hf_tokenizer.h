// A Hugging Face tokenizer.json byte-level BPE tokenizer (Qwen2/2.5, Llama 3.x, DeepSeek-R1-Distill) that
// encodes and decodes exactly as HF `tokenizers` does, with tokenizer_config.json's special tokens and chat
// template. Torch-free; encode/decode may be called from several threads at once.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace r1 {

class HfTokenizer {
 public:
  // `path`: a directory holding tokenizer.json (+ optional tokenizer_config.json, chat_template.jinja), or a
  // tokenizer.json file (read alone, like HF's Tokenizer.from_file). InputError naming the file when missing
  // or unsupported.
  static HfTokenizer load(const std::string& path);
  // From file contents; tokenizer_config_json and chat_template_jinja may be "" (absent). `source` names the
  // files in errors: a path ending in ".json" is the tokenizer.json itself, anything else a directory holding them.
  static HfTokenizer from_strings(const std::string& tokenizer_json, const std::string& tokenizer_config_json,
                                  const std::string& source, const std::string& chat_template_jinja = "");

  // Like HF encode(text, add_special_tokens=...): added/special tokens written in the text are recognised;
  // add_special_tokens applies the post-processor template (Llama 3's BOS) as adjusted by the config's
  // add_bos_token/add_eos_token. InputError when `text` is not valid UTF-8 (naming the byte offset).
  std::vector<int> encode(const std::string& text, bool add_special_tokens = false) const;
  // Byte-level back to UTF-8; ill-formed sequences become U+FFFD exactly as Python's
  // bytes.decode("utf-8", errors="replace") does. Ids that are not tokens are skipped, as HF does.
  std::string decode(const std::vector<int>& ids, bool skip_special_tokens = false) const;

  std::string token(int id) const;                  // vocab string ("Ġthe", "<|im_end|>"); "" if unknown id
  std::string token_bytes(int id) const;            // raw bytes the token stands for; added tokens: their content
  int token_to_id(const std::string& token) const;  // -1 when absent
  int vocab_size() const;                           // highest id + 1 over vocab and added tokens
  bool is_special(int id) const;                    // an added token with special: true
  int bos_id() const;                               // -1 when absent
  int eos_id() const;
  int pad_id() const;
  const std::string& bos_token() const;  // "" when absent
  const std::string& eos_token() const;
  const std::string& pad_token() const;
  const std::string& chat_template() const;  // "" when none
  // Ids encode(..., true) puts before / after the text.
  const std::vector<int>& prefix_ids() const;
  const std::vector<int>& suffix_ids() const;

  struct Impl;

 private:
  explicit HfTokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace r1
