#include "linux/unix_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "common/error.hpp"

namespace engine::sys {
namespace {

// A socket address for path. sun_path holds 107 bytes; a longer path (a long --root or
// container id) is reached through its directory, opened here and named by
// /proc/self/fd/N/NAME, which the kernel resolves like the full path.
struct UnixAddress {
  sockaddr_un addr{};
  UniqueFd dir;  // held until bind or connect is done
};

UnixAddress unix_address(const std::string& path) {
  UnixAddress a;
  a.addr.sun_family = AF_UNIX;
  std::string name = path;
  if (path.size() >= sizeof a.addr.sun_path) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    a.dir.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!a.dir) throw_errno("open " + dir);
    name = "/proc/self/fd/" + std::to_string(a.dir.get()) + "/" + path.substr(slash + 1);
    if (name.size() >= sizeof a.addr.sun_path) throw Error("socket path too long: " + path);
  }
  std::memcpy(a.addr.sun_path, name.c_str(), name.size() + 1);
  return a;
}

}  // namespace

std::pair<UniqueFd, UniqueFd> socket_pair(int type) {
  int fds[2];
  if (::socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) != 0) throw_errno("socketpair");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

UniqueFd connect_unix(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  UnixAddress a = unix_address(path);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a.addr), sizeof a.addr) != 0)
    throw_errno("connect " + path);
  return fd;
}

UniqueFd listen_unix(const std::string& path, int backlog) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw_errno("socket");
  UnixAddress a = unix_address(path);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a.addr), sizeof a.addr) != 0)
    throw_errno("bind " + path);
  if (::listen(fd.get(), backlog) != 0) throw_errno("listen " + path);
  return fd;
}

void send_with_fd(int sock, const void* data, size_t len, int fd) {
  iovec iov{const_cast<void*>(data), len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) throw_errno("sendmsg");
}

size_t recv_with_fd(int sock, void* data, size_t cap, UniqueFd* fd) {
  iovec iov{data, cap};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR) throw_errno("recvmsg");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int received;
    std::memcpy(&received, CMSG_DATA(c), sizeof received);
    if (fd) fd->reset(received);
    else ::close(received);
  }
  return static_cast<size_t>(n);
}

}  // namespace engine::sys
