// Atomic file output and bounded input (see atomic_file.h).
#include "sim/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
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

std::string read_file_bounded(const std::string& path, const std::string& what, std::uint64_t max_bytes, std::string& text) {
  text.clear();
  const std::string name = what + " " + path;
  // O_NONBLOCK: opening a FIFO without a writer must not hang; cleared below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return "cannot open " + name + ": " + std::strerror(errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return "cannot read " + name + ": " + std::strerror(errno);
  if (S_ISDIR(st.st_mode)) return "cannot read " + name + ": it is a directory";
  auto too_large = [&] { return name + " is larger than " + std::to_string(max_bytes >> 20) + " MiB: not a file drsim wrote"; };
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (S_ISREG(st.st_mode)) text.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  while (text.size() <= max_bytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "cannot read " + name + ": " + std::strerror(errno);
    if (n == 0) return "";
    text.append(buf, static_cast<std::size_t>(n));
  }
  text.clear();
  return too_large();
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
