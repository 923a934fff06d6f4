#include "plugins/terminal_provider_host.hpp"

#include "plugins/c_table.hpp"

namespace engine::plugins {
namespace {

std::string prefix(const std::string& provider) { return "terminal provider " + provider + ": "; }

void collect(void* context, const char* name, int value) noexcept {
  try {
    (*static_cast<sdk::Properties*>(context))[name ? name : ""] = value != 0;
  } catch (...) {
    // Out of memory: the claim is left out rather than thrown through the plugin.
  }
}

}  // namespace

void TerminalSessionHandle::prepare_host() {
  call_table(prefix(provider_), [&](char* err, size_t n) { return ops_->prepare_host(session_, err, n); });
}

void TerminalSessionHandle::setup_mounts(const std::string& rootfs) {
  call_table(prefix(provider_),
             [&](char* err, size_t n) { return ops_->setup_mounts(session_, rootfs.c_str(), err, n); });
}

int TerminalSessionHandle::setup_init() {
  int master = -1;
  call_table(prefix(provider_), [&](char* err, size_t n) { return ops_->setup_init(session_, &master, err, n); });
  return master;
}

int TerminalSessionHandle::host_ready(int master_from_container) {
  int master = -1;
  call_table(prefix(provider_), [&](char* err, size_t n) {
    return ops_->host_ready(session_, master_from_container, &master, err, n);
  });
  return master;
}

int TerminalSessionHandle::setup_exec() {
  int master = -1;
  call_table(prefix(provider_), [&](char* err, size_t n) { return ops_->setup_exec(session_, &master, err, n); });
  return master;
}

sdk::Properties TerminalProviderHandle::properties(bool passthrough) const {
  sdk::Properties claims;
  call_table(prefix(name_) + "properties(): ", [&](char* err, size_t n) {
    return ops_->properties(passthrough ? 1 : 0, &collect, &claims, err, n);
  });
  return claims;
}

std::unique_ptr<TerminalSessionHandle> TerminalProviderHandle::open_session(const sdk::TerminalRequest& r) const {
  engine_terminal_request c{};
  c.container_id = r.container_id.c_str();
  c.uid = r.uid;
  c.gid = r.gid;
  c.has_size = r.size ? 1 : 0;
  if (r.size) {
    c.rows = r.size->rows;
    c.cols = r.size->cols;
  }
  c.exec = r.exec ? 1 : 0;
  c.caller_terminal = r.caller_terminal;
  c.passthrough = r.passthrough ? 1 : 0;
  c.bind_console = r.bind_console ? 1 : 0;
  void* session = nullptr;
  call_table(prefix(name_), [&](char* err, size_t n) { return ops_->open_session(&c, &session, err, n); });
  return std::make_unique<TerminalSessionHandle>(ops_, session, name_);
}

}  // namespace engine::plugins
