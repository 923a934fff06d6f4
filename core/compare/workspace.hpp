#pragma once
// What compare-tty makes on the host, and removes when it goes (on success, error or ^C): a
// temporary bundle directory, a private state root under /run, and the containers in it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compare/subjects.hpp"

namespace engine::compare {

// A directory made with mkdtemp(PATTERN) and removed, with its content, when destroyed.
class TempDir {
 public:
  explicit TempDir(const std::string& pattern);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Programs {
  std::string engine;  // this binary: what users run
  std::string probe;   // engine-probe on the host
  std::vector<std::string> plugin_dirs;  // --plugin-dir, passed on
};

class Workspace {
 public:
  // bundle: the user's bundle, or "" for one made from the host's /bin/busybox.
  Workspace(const std::string& bundle, Programs programs);
  // Deletes any container left in the private root, then the root and the temporary bundle.
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  // The command that runs the probe with these arguments for the subject: the probe itself
  // for the floor, `engine run` of a container (its config.json written now) otherwise.
  std::vector<std::string> command(const Subject& subject, const std::vector<std::string>& probe_args);

 private:
  void remove_containers() const noexcept;
  Programs programs_;
  TempDir dir_;   // the temporary bundle
  TempDir root_;  // --root of every container
  nlohmann::json base_;
  int runs_ = 0;
};

}  // namespace engine::compare
