// libr1_spm: SentencePiece behind a C interface, loaded with RTLD_DEEPBIND (see spm_shim.h for why).
#include "spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

struct r1_spm {
  sentencepiece::SentencePieceProcessor proc;
};

namespace {
void fill(char* out, size_t cap, const std::string& text) {
  if (!out || cap == 0) return;
  size_t n = text.size() < cap - 1 ? text.size() : cap - 1;
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}
}  // namespace

extern "C" {

r1_spm* r1_spm_load(const char* bytes, size_t len, char* err, size_t err_len) {
  auto* sp = new r1_spm;
  auto status = sp->proc.LoadFromSerializedProto(std::string(bytes, len));
  if (!status.ok()) {
    fill(err, err_len, status.ToString());
    delete sp;
    return nullptr;
  }
  return sp;
}

void r1_spm_free(r1_spm* sp) { delete sp; }

int r1_spm_encode(r1_spm* sp, const char* text, size_t len, int* ids, int cap) {
  std::vector<int> out;
  if (!sp->proc.Encode(std::string(text, len), &out).ok()) return -1;
  int n = static_cast<int>(out.size());
  if (n <= cap) std::memcpy(ids, out.data(), sizeof(int) * out.size());
  return n;
}

int r1_spm_decode(r1_spm* sp, const int* ids, int n, char* out, int cap) {
  std::string text;
  if (!sp->proc.Decode(std::vector<int>(ids, ids + n), &text).ok()) return -1;
  int len = static_cast<int>(text.size());
  if (len <= cap) std::memcpy(out, text.data(), text.size());
  return len;
}

int r1_spm_piece_size(r1_spm* sp) { return sp->proc.GetPieceSize(); }

int r1_spm_id_to_piece(r1_spm* sp, int id, char* out, int cap) {
  if (id < 0 || id >= sp->proc.GetPieceSize()) return -1;
  const std::string& piece = sp->proc.IdToPiece(id);
  int len = static_cast<int>(piece.size());
  if (len <= cap) std::memcpy(out, piece.data(), piece.size());
  return len;
}

int r1_spm_piece_to_id(r1_spm* sp, const char* piece) {
  int id = sp->proc.PieceToId(piece);
  if (id == sp->proc.unk_id() && std::strcmp(piece, sp->proc.IdToPiece(id).c_str()) != 0) return -1;
  return id;
}

int r1_spm_special_id(r1_spm* sp, int which) {
  switch (which) {
    case 0: return sp->proc.bos_id();
    case 1: return sp->proc.eos_id();
    case 2: return sp->proc.pad_id();
    case 3: return sp->proc.unk_id();
    default: return -1;
  }
}

int r1_spm_is_control(r1_spm* sp, int id) { return sp->proc.IsControl(id) ? 1 : 0; }
int r1_spm_is_byte(r1_spm* sp, int id) { return sp->proc.IsByte(id) ? 1 : 0; }

int r1_spm_train(const char* args, unsigned int seed, char* err, size_t err_len) {
  sentencepiece::SetRandomGeneratorSeed(seed);
  // SentencePiece logs its whole command line to stderr; failures come back in the status instead.
  std::fflush(stderr);
  int saved = ::dup(2);
  int devnull = ::open("/dev/null", O_WRONLY);
  if (saved >= 0 && devnull >= 0) ::dup2(devnull, 2);
  auto status = sentencepiece::SentencePieceTrainer::Train(args);
  if (saved >= 0) {
    ::dup2(saved, 2);
    ::close(saved);
  }
  if (devnull >= 0) ::close(devnull);
  if (!status.ok()) {
    fill(err, err_len, status.ToString());
    return 1;
  }
  return 0;
}

}  // extern "C"
