/* C interface of libr1_spm, a thin shared library around SentencePiece.
 *
 * Why a separate library: Debian's libsentencepiece bundles its own copy of protobuf-lite and exports
 * its symbols, while LibTorch loads the system libprotobuf (through ONNX). Linked into one binary the
 * two copies interpose and the process crashes during static initialisation. r1 therefore loads
 * libr1_spm with dlmopen(LM_ID_NEWLM): SentencePiece, its protobuf and its own C++ runtime live in a separate
 * link-map namespace, and only the plain C interface below crosses the boundary (the shim allocates and frees
 * its own objects). RTLD_DEEPBIND is not enough: SentencePiece's logging then writes to an uninitialised copy
 * of std::cerr. */
#ifndef R1_SPM_SHIM_H
#define R1_SPM_SHIM_H
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct r1_spm r1_spm;

/* Loads a serialized ModelProto; returns NULL and fills err on failure. */
r1_spm* r1_spm_load(const char* bytes, size_t len, char* err, size_t err_len);
void r1_spm_free(r1_spm* sp);
/* Encodes text to ids; returns the id count (written if <= cap), or -1 on error. */
int r1_spm_encode(r1_spm* sp, const char* text, size_t len, int* ids, int cap);
/* Decodes ids to UTF-8; returns the byte length (written if <= cap), or -1 on error. */
int r1_spm_decode(r1_spm* sp, const int* ids, int n, char* out, int cap);
int r1_spm_piece_size(r1_spm* sp);
/* Piece text of id; returns its byte length (written if <= cap), or -1. */
int r1_spm_id_to_piece(r1_spm* sp, int id, char* out, int cap);
/* -1 when the piece is not in the vocabulary (unknown). */
int r1_spm_piece_to_id(r1_spm* sp, const char* piece);
/* 0 bos, 1 eos, 2 pad, 3 unk: the id (or -1 when the model has none). */
int r1_spm_special_id(r1_spm* sp, int which);
/* 1 if the id is a control, user-defined, byte or unknown piece respectively. */
int r1_spm_is_control(r1_spm* sp, int id);
int r1_spm_is_byte(r1_spm* sp, int id);
/* Trains a model with a SentencePieceTrainer argument string and random seed; 0 on success, else fills err. */
int r1_spm_train(const char* args, unsigned int seed, char* err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
