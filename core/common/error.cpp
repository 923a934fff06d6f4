#include "common/error.hpp"

#include <cstring>

namespace engine {

SystemError::SystemError(int err, const std::string& what)
    : Error(what + ": " + std::strerror(err)), err_(err) {}

void throw_errno(const std::string& what) { throw SystemError(errno, what); }
void throw_errno(int err, const std::string& what) { throw SystemError(err, what); }

}  // namespace engine
