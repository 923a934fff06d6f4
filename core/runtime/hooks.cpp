#include "runtime/hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "common/argv.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"
#include "linux/process.hpp"

namespace engine::runtime {
namespace {

// Hooks without a timeout get this long: a hung hook must not hang the engine forever.
constexpr int kDefaultTimeoutSeconds = 120;

// Collects what the hook writes while waiting for it to exit, up to the timeout. Reading as
// it runs means a talkative hook cannot block on a full pipe.
bool wait_collecting(pid_t pid, int output, int timeout_ms, std::string& text) {
  UniqueFd pidfd = sys::open_pidfd(pid);
  if (!pidfd) throw_errno("pidfd_open " + std::to_string(pid));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  ::fcntl(output, F_SETFL, O_NONBLOCK);
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    struct pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {output, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) throw_errno("poll");
    ssize_t n;
    while ((n = ::read(output, buf, sizeof buf)) > 0)
      if (text.size() < (1 << 16)) text.append(buf, static_cast<size_t>(n));
    if (fds[0].revents & POLLIN) return true;
  }
}

// The last non-empty line of what the hook wrote: most often its error.
std::string last_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

void run_hook(const oci::Hook& hook, const std::string& state) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw_errno("pipe");
  UniqueFd in_read(in[0]), in_write(in[1]), out_read(out[0]), out_write(out[1]);
  std::vector<std::string> path_only = {hook.path};
  auto argv = c_strings(hook.args.empty() ? path_only : hook.args);
  auto envp = c_strings(hook.env);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::dup2(in_read.get(), 0);
    ::dup2(out_write.get(), 1);
    ::dup2(out_write.get(), 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    std::fprintf(stderr, "exec: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  sys::ChildGuard child(pid);
  in_read.reset();
  out_write.reset();
  // A hook that does not read its stdin must not block the engine: SIGPIPE is not fatal here.
  struct sigaction ignore{}, previous{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  (void)!::write(in_write.get(), state.data(), state.size());
  ::sigaction(SIGPIPE, &previous, nullptr);
  in_write.reset();
  int timeout = hook.timeout.value_or(kDefaultTimeoutSeconds);
  std::string output;
  if (!wait_collecting(pid, out_read.get(), timeout * 1000, output)) {
    ::kill(pid, SIGKILL);
    sys::wait_status(pid);
    child.release();
    throw Error("timed out after " + std::to_string(timeout) + " s");
  }
  int status = sys::wait_status(pid);
  child.release();
  if (status == 0) return;
  std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  std::string said = last_line(output);
  throw Error(said.empty() ? why : why + ": " + said);
}

}  // namespace

std::string hook_state(const std::string& oci_version, const std::string& id, const std::string& status,
                       pid_t pid, const std::string& bundle, const nlohmann::json& annotations) {
  nlohmann::json doc = {{"ociVersion", oci_version.empty() ? "1.0.2" : oci_version},
                        {"id", id},
                        {"status", status},
                        {"pid", pid},
                        {"bundle", bundle},
                        {"annotations", annotations.is_object() ? annotations : nlohmann::json::object()}};
  return doc.dump();
}

std::string hook_state(const oci::Spec& spec, const std::string& id, const std::string& status, pid_t pid,
                       const std::string& bundle) {
  return hook_state(spec.oci_version, id, status, pid, bundle, spec.annotations);
}

void run_hooks(const std::vector<oci::Hook>& hooks, const char* phase, const std::string& state) {
  for (const auto& hook : hooks) {
    try {
      run_hook(hook, state);
    } catch (const std::exception& e) {
      throw Error(std::string(phase) + " hook " + hook.path + ": " + e.what());
    }
  }
}

void run_hooks_warning(const std::vector<oci::Hook>& hooks, const char* phase, const std::string& state) {
  for (const auto& hook : hooks) {
    try {
      run_hook(hook, state);
    } catch (const std::exception& e) {
      spdlog::warn("{} hook {}: {}", phase, hook.path, e.what());
    }
  }
}

nlohmann::json hooks_to_json(const std::vector<oci::Hook>& hooks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : hooks) {
    nlohmann::json item = {{"path", h.path}, {"args", h.args}, {"env", h.env}};
    if (h.timeout) item["timeout"] = *h.timeout;
    list.push_back(item);
  }
  return list;
}

std::vector<oci::Hook> hooks_from_json(const nlohmann::json& doc) {
  std::vector<oci::Hook> hooks;
  if (!doc.is_array()) return hooks;
  for (const auto& item : doc) {
    oci::Hook h;
    h.path = item.value("path", std::string());
    h.args = item.value("args", std::vector<std::string>());
    h.env = item.value("env", std::vector<std::string>());
    if (item.contains("timeout")) h.timeout = item["timeout"].get<int>();
    hooks.push_back(h);
  }
  return hooks;
}

}  // namespace engine::runtime
