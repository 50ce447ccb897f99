// The weights file of a checkpoint directory (see weights_file.h).
#include "r1/io/weights_file.h"

#include <filesystem>

namespace r1 {

std::string weights_file_of(const std::string& dir) {
  const std::filesystem::path d(dir);
  std::error_code ec;
  for (const char* name : {kWeightsFileName, kWeightsIndexFileName})
    if (std::filesystem::exists(d / name, ec)) return (d / name).string();
  return "";
}

}  // namespace r1
