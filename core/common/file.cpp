#include "common/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "common/error.hpp"

namespace engine {

UniqueFd open_fd(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_errno("open " + path);
  return UniqueFd(fd);
}

std::string read_file(const std::string& path) {
  UniqueFd fd = open_fd(path, O_RDONLY);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

void write_all(int fd, const void* data, size_t len, const char* what) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(what);
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
}

void write_file(const std::string& path, const std::string& content) {
  UniqueFd fd = open_fd(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  write_all(fd.get(), content.data(), content.size(), ("write " + path).c_str());
}

void write_file_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  write_file(tmp, content);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno(err, "rename " + tmp);
  }
}

void make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  for (size_t pos = 1;; ++pos) {
    pos = path.find('/', pos);
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + prefix);
    if (pos == std::string::npos) break;
  }
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace engine
