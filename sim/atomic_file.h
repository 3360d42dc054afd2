// Atomic file output: write to a temporary file beside the target, flush, then
// rename over it, so an interrupted run never leaves a half-written file.
//
// Thread-safety: safe to call concurrently for different paths.
#pragma once

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

}  // namespace drsim
