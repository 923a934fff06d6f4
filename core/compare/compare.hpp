#pragma once
// `engine compare-tty`: the same workloads under every terminal provider and on a plain host
// pty (the floor), and each provider's properties measured from inside its containers.
#include <functional>
#include <string>
#include <vector>

#include "compare/report.hpp"

namespace engine::compare {

struct Options {
  std::string bundle;                  // "" = a bundle made from the host's /bin/busybox
  std::vector<std::string> providers;  // "" = every installed one (see resolve_subjects)
  int mib = 64;
  int keys = 1000;
  int setup_runs = 5;
  std::vector<std::string> plugin_dirs;
  std::function<void(const std::string&)> progress;  // one line per step; may be empty
};

// Runs everything; throws Error (Interrupted on ^C) after removing what it made.
Report compare(const Options& options);

// engine-probe next to this binary (the build tree) or in ENGINE_LIBEXEC_DIR (an install).
std::string find_probe();

}  // namespace engine::compare
