#pragma once
// The CRI log format Kubernetes reads, one record per line:
//   2016-10-06T00:17:09.669794202Z stdout F text
// F ends a line; P is a piece of a line that continues in the stream's next record.
//
// Decisions (tests assert them):
// - A line longer than max-line bytes is cut into P records; the piece that ends it is F.
// - close() writes a pending line that never got its newline as P, as containerd and conmon
//   do: the record does not end a line, and `engine logs` then prints the output byte for byte.
// - A '\r' right before a '\n' is dropped, even when the two arrive in different chunks: a pty
//   turns every "\n" into "\r\n" (conmon#195). Every other byte is kept.
// - A record carries the time of the chunk that completed it, never earlier than the record
//   before it, so each file is in time order; the reader relies on that for --since.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/sdk/log_driver.hpp"

namespace engine::logging {

struct Options {
  std::string path;                  // the current file; rotated ones are path.1, path.2, ...
  uint64_t max_size = 10ull << 20;   // rotate before a file would grow past this; 0: never
  int max_file = 3;                  // files kept, the current one included
  size_t max_line = 16 << 10;        // longer lines are cut into P records
};

// Parses --log-opt KEY=VALUE; throws sdk::PluginError naming the option.
Options parse_options(const std::map<std::string, std::string>& opts, const std::string& container_dir);

// RFC 3339 in UTC with nine fraction digits: fixed width, so files sort and read alike.
std::string format_time(int64_t ns);
// Accepts 0 to 9 fraction digits and a Z or +hh:mm offset (what Go's RFC3339Nano writes).
bool parse_time(std::string_view text, int64_t* ns);

std::string format_record(const sdk::LogRecord& r);         // one line, with its '\n'
bool parse_record(std::string_view line, sdk::LogRecord* r);  // a line without its '\n'; false if malformed

class CriWriter : public sdk::LogWriter {
 public:
  explicit CriWriter(Options opts);
  ~CriWriter() override;
  CriWriter(const CriWriter&) = delete;
  CriWriter& operator=(const CriWriter&) = delete;

  void write(sdk::Stream stream, int64_t time_ns, const char* data, size_t len) override;
  void close() override;

 private:
  struct Pending {
    std::string text;     // the stream's line so far, at most max_line bytes
    int64_t time_ns = 0;  // of the last chunk that added to it
  };
  Pending& pending(sdk::Stream s) { return pending_[s == sdk::Stream::stdout_stream ? 0 : 1]; }
  void take(Pending& p, sdk::Stream stream, int64_t time_ns, const char* data, size_t len);
  void end_line(Pending& p, sdk::Stream stream, int64_t time_ns);
  void emit(sdk::Stream stream, int64_t time_ns, const std::string& text, bool partial);
  void flush();
  void write_batch();
  void rotate();
  bool open_current();
  void fail(const std::string& what);
  void throw_if_failed();

  Options opts_;
  int fd_ = -1;
  bool regular_ = true;        // a device or fifo given as path is never rotated or truncated
  uint64_t size_ = 0;          // of the current file
  int64_t last_time_ = 0;      // of the last record, so times never go backwards in a file
  std::string batch_;          // formatted records not yet written, about 64 KiB at most
  Pending pending_[2];         // per stream: stdout, stderr
  std::optional<std::string> error_;  // the first failure of this call, thrown at its end
};

// The records of the current and rotated files, oldest first, filtered by read.
std::vector<sdk::LogRecord> read_records(const Options& opts, const sdk::ReadOptions& read);

}  // namespace engine::logging
