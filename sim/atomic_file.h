// Atomic file output: write to a temporary file beside the target, flush, then
// rename over it, so an interrupted run never leaves a half-written file. And the
// checked input of drsim's own files (shards, checkpoints): bounded, never blocking.
//
// Thread-safety: safe to call concurrently for different paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace drsim {

// Writes `content` to `path` atomically. Returns "" on success, else a message
// naming the file and the system error.
std::string write_file_atomically(const std::string& path, std::string_view content);

// Writes all of `bytes` to the open file `fd`, retrying short writes and EINTR.
// Returns "" on success, else the system error (strerror).
std::string write_all(int fd, std::string_view bytes);

// Renames `from` to `to` (same directory), "" on success.
std::string rename_file(const std::string& from, const std::string& to);

// Reads the whole file at `path` into `text`. Returns "" on success, else a message
// naming the file: it cannot be opened, is a directory, or holds more than `max_bytes`
// (checked before reading, and while reading a stream). A FIFO without a writer reads as
// empty instead of blocking (opened non-blocking). `what` names the file in messages
// ("the shard file", "the checkpoint").
inline constexpr std::uint64_t kMaxStateFileBytes = std::uint64_t{1} << 30;  // shards, checkpoints: 1 GiB
std::string read_file_bounded(const std::string& path, const std::string& what, std::uint64_t max_bytes, std::string& text);

}  // namespace drsim
