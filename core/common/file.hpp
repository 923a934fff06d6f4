#pragma once
// Small whole-file helpers; each throws SystemError naming the path.
#include <string>

#include "common/unique_fd.hpp"

namespace engine {

UniqueFd open_fd(const std::string& path, int flags, mode_t mode = 0);
std::string read_file(const std::string& path);
// Writes the whole content to path (created 0644 if absent, truncated).
void write_file(const std::string& path, const std::string& content);
// write(2) until done; throws on error.
void write_all(int fd, const void* data, size_t len, const char* what);
// Writes content to path through a temporary file and rename, so readers never see half.
void write_file_atomic(const std::string& path, const std::string& content);
// mkdir -p with mode; ok if it exists.
void make_dirs(const std::string& path, mode_t mode = 0755);
bool path_exists(const std::string& path);

}  // namespace engine
