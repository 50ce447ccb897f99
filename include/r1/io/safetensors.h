// Safetensors files (8-byte little-endian header length, JSON header, raw little-endian data): a reader that
// validates every size, offset, dtype and shape before touching data, and an atomic writer.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace r1 {

// One header entry; [begin, end) is relative to the start of the data section.
struct TensorInfo {
  std::string name;
  std::string dtype;            // "F32", "BF16", "F16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"
  std::vector<int64_t> shape;   // [] = 0-d tensor
  uint64_t begin = 0, end = 0;  // byte offsets into the data section
};

// Byte size of one element of a safetensors dtype name, or 0 when the name is not supported.
size_t safetensors_dtype_size(const std::string& dtype);

// Validates the length prefix and JSON header of a whole file held in `bytes` and returns its entries sorted by
// name. Throws InputError "<source>: ..." naming the tensor and the problem on any inconsistency.
std::vector<TensorInfo> parse_safetensors_header(const std::string& bytes, const std::string& source);

// Parses a whole file held in memory into owning CPU tensors of the file's dtypes; fills `metadata` with the
// "__metadata__" strings when given.
std::map<std::string, at::Tensor> parse_safetensors(const std::string& bytes, const std::string& source,
                                                    std::map<std::string, std::string>* metadata = nullptr);

// Reads a file: the header is validated first, then each tensor is read straight into its own storage.
std::map<std::string, at::Tensor> load_safetensors(const std::string& path,
                                                   std::map<std::string, std::string>* metadata = nullptr);

// Writes tensors (moved to CPU, made contiguous) sorted by name, header padded with spaces to a multiple of
// 8 bytes, through a temporary sibling that is fsynced and renamed into place. Throws RuntimeFailure on I/O
// errors or a dtype safetensors cannot hold.
void save_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace r1
