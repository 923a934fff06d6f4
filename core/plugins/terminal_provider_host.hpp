#pragma once
// The engine's side of a terminal provider's C table (engine/sdk/terminal.hpp): C++ calls that
// throw Error("terminal provider NAME: ...") with the plugin's message, and a session that is
// destroyed with its owner.
#include <memory>
#include <string>

#include "engine/sdk/terminal.hpp"

namespace engine::plugins {

class TerminalSessionHandle {
 public:
  TerminalSessionHandle(const engine_terminal_provider_ops* ops, void* session, std::string provider)
      : ops_(ops), session_(session), provider_(std::move(provider)) {}
  TerminalSessionHandle(const TerminalSessionHandle&) = delete;
  TerminalSessionHandle& operator=(const TerminalSessionHandle&) = delete;
  ~TerminalSessionHandle() { ops_->destroy(session_); }

  const std::string& provider_name() const { return provider_; }
  // The hooks of sdk::TerminalSession, in the processes that header names.
  void prepare_host();
  void setup_mounts(const std::string& rootfs);
  int setup_init();
  int host_ready(int master_from_container);
  int setup_exec();

 private:
  const engine_terminal_provider_ops* ops_;
  void* session_;
  std::string provider_;
};

class TerminalProviderHandle {
 public:
  TerminalProviderHandle(const engine_terminal_provider_ops* ops, std::string name)
      : ops_(ops), name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  bool supports_passthrough() const { return ops_->supports_passthrough() != 0; }
  // What the provider claims, in passthrough or with a pty of its own.
  sdk::Properties properties(bool passthrough) const;
  std::unique_ptr<TerminalSessionHandle> open_session(const sdk::TerminalRequest& request) const;

 private:
  const engine_terminal_provider_ops* ops_;
  std::string name_;
};

}  // namespace engine::plugins
