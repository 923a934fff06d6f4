#pragma once
// Unix sockets: socketpairs, connect by path, and messages carrying one fd in SCM_RIGHTS.
#include <optional>
#include <string>
#include <utility>

#include "common/unique_fd.hpp"

namespace engine::sys {

std::pair<UniqueFd, UniqueFd> socket_pair(int type);  // CLOEXEC
UniqueFd connect_unix(const std::string& path);        // SOCK_STREAM
UniqueFd listen_unix(const std::string& path, int backlog = 16);

// Sends data with an optional fd (-1 for none) in one message.
void send_with_fd(int sock, const void* data, size_t len, int fd);
// Receives one message (up to cap bytes) and the fd it carried, if any (CLOEXEC).
// Returns the byte count; 0 means the peer closed.
size_t recv_with_fd(int sock, void* data, size_t cap, UniqueFd* fd);

}  // namespace engine::sys
