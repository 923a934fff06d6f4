#include "runtime/sync_channel.hpp"

#include <sys/socket.h>

#include <unistd.h>

#include <cstring>

#include "common/error.hpp"
#include "linux/unix_socket.hpp"

namespace engine::runtime {
namespace {
constexpr size_t kMaxMessage = 4096;
}

std::pair<SyncChannel, SyncChannel> SyncChannel::make_pair() {
  auto [a, b] = sys::socket_pair(SOCK_SEQPACKET);
  return {SyncChannel(std::move(a)), SyncChannel(std::move(b))};
}

void SyncChannel::send(SyncType type, const std::string& text, int fd) const {
  char buf[kMaxMessage];
  uint32_t raw = static_cast<uint32_t>(type);
  size_t len = std::min(text.size(), kMaxMessage - sizeof raw);
  std::memcpy(buf, &raw, sizeof raw);
  std::memcpy(buf + sizeof raw, text.data(), len);
  sys::send_with_fd(fd_.get(), buf, sizeof raw + len, fd);
}

SyncMessage SyncChannel::expect(SyncType type) const {
  char buf[kMaxMessage];
  SyncMessage msg;
  size_t n = sys::recv_with_fd(fd_.get(), buf, sizeof buf, &msg.fd);
  if (n == 0) throw Error("container init exited during setup");
  uint32_t raw;
  if (n < sizeof raw) throw Error("sync: short message");
  std::memcpy(&raw, buf, sizeof raw);
  msg.type = static_cast<SyncType>(raw);
  msg.text.assign(buf + sizeof raw, n - sizeof raw);
  if (msg.type == SyncType::error) throw Error(msg.text);
  if (msg.type != type)
    throw Error("sync: expected message " + std::to_string(static_cast<uint32_t>(type)) +
                ", got " + std::to_string(raw));
  return msg;
}

void run_child_reporting(const SyncChannel& channel, const std::function<void()>& body,
                         int exit_code) noexcept {
  std::string message = "unknown error";
  try {
    body();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  try {
    channel.send(SyncType::error, message);
  } catch (...) {
  }
  ::_exit(exit_code);
}

}  // namespace engine::runtime
