// Atomic file output (see atomic_file.h).
#include "sim/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace drsim {

std::string write_all(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::strerror(errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return "";
}

std::string write_file_atomically(const std::string& path, std::string_view content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
  if (std::string why = write_all(fd, content); !why.empty()) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": " + why;
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string err = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return err;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = "cannot write " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return err;
  }
  return "";
}

std::string rename_file(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) return "cannot rename " + from + " to " + to + ": " + std::strerror(errno);
  return "";
}

}  // namespace drsim
