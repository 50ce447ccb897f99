// Contiguous shards of a work list across ranks: rank r takes items [begin, end) so that the shards, concatenated in
// rank order, are the list in its original order.
#pragma once
#include <cstddef>

namespace r1::dist {

struct ShardRange {
  size_t begin = 0, end = 0;
  size_t size() const { return end - begin; }
};

// Splits [0, n) into `world` contiguous parts differing in size by at most one (the first n % world ranks get one
// more item); rank's part. world >= 1, 0 <= rank < world.
ShardRange shard_range(size_t n, int rank, int world);

}  // namespace r1::dist
