#pragma once
// In a forked child: mark the process as this test run's (so leftovers can be found) and
// exec argv. Never returns.
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace engine::test {

[[noreturn]] inline void exec_marked(const std::vector<std::string>& argv) {
  ::setenv("ENGINE_TEST_RUN", std::to_string(::getppid()).c_str(), 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

}  // namespace engine::test
