// Contiguous shards.
#include "r1/dist/shard.h"

#include <stdexcept>
#include <string>

namespace r1::dist {

ShardRange shard_range(size_t n, int rank, int world) {
  if (world < 1 || rank < 0 || rank >= world)
    throw std::invalid_argument("shard_range: rank " + std::to_string(rank) + " of world " + std::to_string(world));
  const size_t w = static_cast<size_t>(world), r = static_cast<size_t>(rank);
  const size_t base = n / w, extra = n % w;
  ShardRange s;
  s.begin = r * base + (r < extra ? r : extra);
  s.end = s.begin + base + (r < extra ? 1 : 0);
  return s;
}

}  // namespace r1::dist
