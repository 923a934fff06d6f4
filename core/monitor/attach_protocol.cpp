#include "monitor/attach_protocol.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace engine::monitor {

void encode_frame(Frame type, const char* data, size_t len, std::string& out) {
  out.push_back(static_cast<char>(type));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  out.append(data, len);
}

bool write_frame(int fd, Frame type, const char* data, size_t len) {
  std::string frame;
  encode_frame(type, data, len, frame);
  size_t off = 0;
  while (off < frame.size()) {
    ssize_t n = ::send(fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool FrameReader::next(Frame& type, std::string& payload) {
  if (buf_.size() < 5) return false;
  size_t len = 0;
  for (int i = 0; i < 4; ++i) len |= size_t{static_cast<unsigned char>(buf_[1 + i])} << (8 * i);
  if (buf_.size() < 5 + len) return false;
  type = static_cast<Frame>(buf_[0]);
  payload.assign(buf_, 5, len);
  buf_.erase(0, 5 + len);
  return true;
}

std::string encode_size(unsigned short rows, unsigned short cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

bool decode_size(const std::string& payload, unsigned short& rows, unsigned short& cols) {
  unsigned r = 0, c = 0;
  if (std::sscanf(payload.c_str(), "%ux%u", &r, &c) != 2 || r > 65535 || c > 65535) return false;
  rows = static_cast<unsigned short>(r);
  cols = static_cast<unsigned short>(c);
  return true;
}

}  // namespace engine::monitor
