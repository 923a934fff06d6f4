#pragma once
// `engine attach`: the client side of a monitor's attach socket, with detach keys.
#include <string>

namespace engine::terminal {

// "ctrl-p,ctrl-q" -> "\x10\x11"; "" -> "" (detaching disabled); single characters allowed
// ("ctrl-a,d"). Throws Error on a key it does not know.
std::string parse_detach_keys(const std::string& spec);

// Matches the detach sequence in typed input. Bytes that turn out not to be the sequence
// are passed on; a lone prefix is passed on when flush() is called after a pause.
class DetachMatcher {
 public:
  explicit DetachMatcher(std::string sequence) : seq_(std::move(sequence)) {}
  // Feeds typed bytes; appends what should reach the container to out. True once the whole
  // sequence was typed (the rest of data is dropped).
  bool feed(const char* data, size_t len, std::string& out);
  // A pause: a held prefix is not the sequence after all.
  void flush(std::string& out);
  bool holding() const { return matched_ > 0; }

 private:
  std::string seq_;
  size_t matched_ = 0;
};

// Runs the attach session on a connected socket. Returns the container's exit code when it
// ends, or -1 when the user detached (or the monitor went away: -2).
int attach_session(int sock, bool tty, const std::string& detach_sequence);

}  // namespace engine::terminal
