// Append-only journal of sampled batches.
#include "r1/generate/completion_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "r1/generate/sharded_sampling.h"
#include "r1/util/error.h"
#include "r1/util/fs.h"
#include "r1/util/logging.h"
#include "r1/util/rng.h"

namespace r1::generate {

namespace {
constexpr char kMagic[8] = {'r', '1', 'b', 'a', 't', 'c', 'h', '\n'};

void put_u64(std::string& out, std::uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

bool get_u64(const std::string& in, size_t& pos, std::uint64_t& v) {
  if (pos + sizeof v > in.size()) return false;
  std::memcpy(&v, in.data() + pos, sizeof v);
  pos += sizeof v;
  return true;
}

// Record: magic, payload size, payload (count, then each completion's size and bytes), FNV-1a of the payload.
std::string encode_record(const std::vector<Completion>& batch) {
  std::string payload;
  put_u64(payload, batch.size());
  for (const auto& c : batch) {
    std::string bytes = encode_completion(c);
    put_u64(payload, bytes.size());
    payload += bytes;
  }
  std::string out(kMagic, sizeof kMagic);
  put_u64(out, payload.size());
  out += payload;
  put_u64(out, fnv1a64(payload));
  return out;
}

// Decodes the record at `pos`; false (pos unchanged) when it is incomplete or corrupt.
bool decode_record(const std::string& in, size_t& pos, std::vector<Completion>& out) {
  size_t p = pos;
  if (p + sizeof kMagic > in.size() || std::memcmp(in.data() + p, kMagic, sizeof kMagic) != 0) return false;
  p += sizeof kMagic;
  std::uint64_t size = 0, sum = 0;
  if (!get_u64(in, p, size) || size > in.size() - p) return false;
  std::string payload = in.substr(p, size);
  p += size;
  if (!get_u64(in, p, sum) || sum != fnv1a64(payload)) return false;
  size_t q = 0;
  std::uint64_t count = 0;
  if (!get_u64(payload, q, count)) return false;
  std::vector<Completion> batch;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t n = 0;
    if (!get_u64(payload, q, n) || n > payload.size() - q) return false;
    try {
      batch.push_back(decode_completion(payload.substr(q, n)));
    } catch (const RuntimeFailure&) {
      return false;
    }
    q += n;
  }
  for (auto& c : batch) out.push_back(std::move(c));
  pos = p;
  return true;
}
}  // namespace

CompletionJournal::CompletionJournal(std::string path, std::string identity)
    : path_(std::move(path)), identity_(std::move(identity)) {}

std::vector<Completion> CompletionJournal::load() {
  std::vector<Completion> done;
  const std::string header = identity_ + "\n";
  std::error_code ec;
  if (fs::exists(path_, ec)) {
    std::string bytes = read_file(path_);
    if (bytes.compare(0, header.size(), header) == 0) {
      size_t pos = header.size();
      while (decode_record(bytes, pos, done)) {
      }
      if (pos != bytes.size())
        logger()->warn("{}: dropped an incomplete last batch ({} bytes)", path_, bytes.size() - pos);
      write_file_atomic(path_, bytes.substr(0, pos));
      return done;
    }
    logger()->warn("{}: journal of a different configuration; sampling from the start", path_);
  }
  write_file_atomic(path_, header);
  return done;
}

void CompletionJournal::append(const std::vector<Completion>& batch) {
  const std::string record = encode_record(batch);
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND);
  if (fd < 0) throw RuntimeFailure(path_ + ": cannot open the sampling journal (" + std::strerror(errno) + ")");
  size_t off = 0;
  while (off < record.size()) {
    ssize_t n = ::write(fd, record.data() + off, record.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw RuntimeFailure(path_ + ": write failed (" + std::strerror(err) + ")");
    }
    off += static_cast<size_t>(n);
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw RuntimeFailure(path_ + ": fsync failed (" + std::strerror(err) + ")");
}

void CompletionJournal::remove() {
  std::error_code ec;
  fs::remove(path_, ec);
}

}  // namespace r1::generate
