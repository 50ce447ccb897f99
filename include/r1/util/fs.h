// File-system helpers with crash safety: atomic writes (temp + fsync + rename), durable directory renames,
// whole-file reads with clear errors, free-space checks.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace r1 {

namespace fs = std::filesystem;

// strerror(err), for messages (take `errno` into a local first: later calls may overwrite it).
std::string errno_text(int err);

// The one pattern of r1's temporary files and directories: "<target>.r1tmp.<pid>.<n>", beside the target.
constexpr const char* kTempMarker = ".r1tmp.";
fs::path temp_sibling(const fs::path& target);
bool is_temp_name(const std::string& filename);
// Removes every r1 temporary file or directory under `dir` (recursively) and returns how many. Only safe while
// no other r1 process writes there (the run-dir lock is held).
size_t remove_temp_files(const fs::path& dir);

// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_file(const fs::path& path);

// Writes `content` to `path` so that a crash leaves either the old file or the new one:
// write to a temporary sibling, fsync it, rename over `path`, fsync the directory.
void write_file_atomic(const fs::path& path, const std::string& content);

// fsync a file or directory by path (no-op errors are ignored for directories on odd file systems).
void fsync_path(const fs::path& path);

// Atomically replaces `to` with the directory `from` (both in the same parent): the old `to`, if any,
// is moved aside first and removed after the rename, then the parent directory is fsynced.
void rename_dir_durable(const fs::path& from, const fs::path& to);

// Creates the directory and its parents; throws InputError naming the path on failure.
void make_dirs(const fs::path& dir);

// Free bytes available to this user on the file system holding `path` (its nearest existing ancestor).
std::uintmax_t free_bytes(const fs::path& path);

// "1.375 MiB (1441792 bytes)": precise enough that two different sizes never print the same.
std::string format_bytes(std::uintmax_t bytes);

// "1.40 GiB", "812 KiB", "96 B": three significant digits, for tables.
std::string format_bytes_short(std::int64_t bytes);

// Throws RuntimeFailure if fewer than `needed` bytes are free where `path` lives.
void require_free_space(const fs::path& path, std::uintmax_t needed, const std::string& what);

}  // namespace r1
