#pragma once
// Frames on a container's attach socket, between the monitor and `engine attach`:
// [type: 1 byte][length: 4 bytes, little endian][payload]. Output keeps stdout and stderr
// apart; input and resizes go the other way; `exit` carries the exit code as text.
#include <cstdint>
#include <string>

namespace engine::monitor {

enum class Frame : uint8_t { stdout_data = 1, stderr_data = 2, stdin_data = 3, resize = 4, exit = 5 };

// Encodes one frame (appends to out).
void encode_frame(Frame type, const char* data, size_t len, std::string& out);
// Writes one frame to fd (blocking); false if the peer is gone.
bool write_frame(int fd, Frame type, const char* data, size_t len);

// Collects bytes and yields whole frames.
class FrameReader {
 public:
  void feed(const char* data, size_t len) { buf_.append(data, len); }
  // Takes the next whole frame; false when more bytes are needed.
  bool next(Frame& type, std::string& payload);

 private:
  std::string buf_;
};

// "ROWSxCOLS" payload of a resize frame.
std::string encode_size(unsigned short rows, unsigned short cols);
bool decode_size(const std::string& payload, unsigned short& rows, unsigned short& cols);

}  // namespace engine::monitor
