#pragma once
// Error types of the engine. Every message is one line naming the cause and its object:
//   "mount devpts on /dev/pts: Invalid argument"
//   "config.json: process.args: must be a non-empty array"
#include <cerrno>
#include <stdexcept>
#include <string>

namespace engine {

// Any failure the engine reports to its user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A syscall failed: "VERB OBJECT: strerror(errno)".
class SystemError : public Error {
 public:
  SystemError(int err, const std::string& what);
  int code() const { return err_; }

 private:
  int err_;
};

// Throws SystemError with the current errno.
[[noreturn]] void throw_errno(const std::string& what);
[[noreturn]] void throw_errno(int err, const std::string& what);

// Returns value unless it is -1, in which case throws SystemError(errno, what).
template <typename T>
T check(T value, const char* what) {
  if (value == static_cast<T>(-1)) throw_errno(what);
  return value;
}
template <typename T>
T check(T value, const std::string& what) {
  if (value == static_cast<T>(-1)) throw_errno(what);
  return value;
}

}  // namespace engine
