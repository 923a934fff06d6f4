#pragma once
// The typed message channel between the engine and the container init (SOCK_SEQPACKET, one
// message per send, an fd may ride along). Messages arrive in a fixed order; out of order is
// an error, as youki checks.
#include <cstdint>
#include <functional>
#include <string>

#include "common/unique_fd.hpp"

namespace engine::runtime {

enum class SyncType : uint32_t {
  go = 1,   // parent -> init: maps written, cgroup joined; carry on
  ready,    // init -> parent: set up, waiting to exec (fd: terminal master, if any)
  error,    // init -> parent: text is the one-line cause
  start,    // parent -> init: exec now (used by `run`, which needs no exec fifo)
  hooks,       // init -> parent: mounts done; run the prestart and createRuntime hooks
  hooks_done,  // parent -> init: they ran; carry on to pivot_root
};

struct SyncMessage {
  SyncType type{};
  std::string text;
  UniqueFd fd;
};

class SyncChannel {
 public:
  SyncChannel() = default;
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  static std::pair<SyncChannel, SyncChannel> make_pair();

  void send(SyncType type, const std::string& text = {}, int fd = -1) const;
  // Throws Error if the peer closed ("container init exited during setup") or on a type
  // other than expected; an `error` message is rethrown as Error(text).
  SyncMessage expect(SyncType type) const;
  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

// Entry of a cloned child that reports to its parent over `channel`: runs body (which execs
// on success); anything thrown is sent as an `error` message, then the child exits with
// exit_code. Nothing thrown crosses the clone.
[[noreturn]] void run_child_reporting(const SyncChannel& channel, const std::function<void()>& body,
                                      int exit_code) noexcept;

}  // namespace engine::runtime
