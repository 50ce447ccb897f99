// Host memory figures (issue 28, item 4): sizes as users write them, the memory available from /proc and the
// cgroup files, and the process's resident size and resettable peak.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "r1/util/error.h"
#include "r1/util/memory.h"

using r1::parse_memory_size;

TEST_CASE("memory sizes parse in binary units and bad ones name the option", "[util][memory]") {
  CHECK(parse_memory_size("8GiB", "--memory-limit") == (std::int64_t{8} << 30));
  CHECK(parse_memory_size("8 gib", "--memory-limit") == (std::int64_t{8} << 30));
  CHECK(parse_memory_size("512M", "--memory-limit") == (std::int64_t{512} << 20));
  CHECK(parse_memory_size("512MB", "--memory-limit") == (std::int64_t{512} << 20));
  CHECK(parse_memory_size("1.5T", "--memory-limit") == (std::int64_t{3} << 39));
  CHECK(parse_memory_size("123456", "--memory-limit") == 123456);
  for (const char* bad : {"", "abc", "-1G", "8X", "8GiBs", "1e30G", "nan"}) {
    INFO(bad);
    try {
      parse_memory_size(bad, "--memory-limit");
      FAIL("accepted");
    } catch (const r1::InputError& e) {
      CHECK(std::string(e.what()).find("--memory-limit: expected a memory size") != std::string::npos);
    }
  }
}

TEST_CASE("available memory is the smaller of MemAvailable and the cgroup's room", "[util][memory]") {
  const std::string meminfo = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:    4194304 kB\n";
  auto plain = r1::available_memory_from(meminfo, "", "");
  CHECK(plain.bytes == (std::int64_t{4} << 30));
  CHECK(plain.source == "MemAvailable");
  CHECK(r1::available_memory_from(meminfo, "max\n", "1000\n").bytes == (std::int64_t{4} << 30));
  // v1 writes "no limit" as a number near 2^63.
  CHECK(r1::available_memory_from(meminfo, "9223372036854771712\n", "0").source == "MemAvailable");
  auto cg = r1::available_memory_from(meminfo, std::to_string(std::int64_t{2} << 30) + "\n",
                                      std::to_string(std::int64_t{512} << 20) + "\n");
  CHECK(cg.bytes == (std::int64_t{3} << 29));  // 2 GiB - 512 MiB
  CHECK(cg.source.find("cgroup memory limit 2.00 GiB") != std::string::npos);
  CHECK(r1::available_memory_from("", "", "").bytes == -1);
  CHECK(r1::available_memory().bytes > 0);  // this machine has /proc
}

TEST_CASE("the resident peak can be reset, so each stage's own peak is measurable", "[util][memory]") {
  REQUIRE(r1::resident_bytes() > 0);
  REQUIRE(r1::reset_peak_resident());
  const std::int64_t before = r1::peak_resident_bytes();
  {
    std::vector<char> block(std::size_t{256} << 20);
    std::memset(block.data(), 1, block.size());  // touch every page
    CHECK(r1::peak_resident_bytes() >= before + (std::int64_t{200} << 20));
  }
  REQUIRE(r1::reset_peak_resident());
  CHECK(r1::peak_resident_bytes() < before + (std::int64_t{100} << 20));  // the freed block is not the peak now
}

TEST_CASE("short byte sizes keep three significant digits", "[util][memory]") {
  CHECK(r1::format_bytes_short(96) == "96 B");
  CHECK(r1::format_bytes_short(std::int64_t{812} << 10) == "812 KiB");
  CHECK(r1::format_bytes_short((std::int64_t{3} << 29)) == "1.50 GiB");
  CHECK(r1::format_bytes_short(std::int64_t{25} << 20) == "25.0 MiB");
}
