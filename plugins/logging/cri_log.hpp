#pragma once
// The CRI log format Kubernetes reads, one record per line:
//   2016-10-06T00:17:09.669794202Z stdout F text
// F ends a line; P is a piece of a longer line (cut at max-line bytes, or flushed at close).
// Carriage returns a pty puts before a newline are dropped (conmon#195).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/sdk/log_driver.hpp"

namespace engine::logging {

struct Options {
  std::string path;             // the current file
  uint64_t max_size = 10 << 20; // rotate before a file would grow past this; 0: never
  int max_file = 3;             // files kept, the current one included
  size_t max_line = 16 << 10;   // longer lines are cut into P records
};

// Parses --log-opt values; throws sdk::PluginError naming the option.
Options parse_options(const std::map<std::string, std::string>& opts, const std::string& container_dir);

std::string format_time(int64_t ns);
bool parse_time(const std::string& text, int64_t* ns);
std::string format_record(const sdk::LogRecord& r);
bool parse_record(const std::string& line, sdk::LogRecord* r);

class CriWriter : public sdk::LogWriter {
 public:
  explicit CriWriter(Options opts);
  ~CriWriter() override;
  void write(sdk::Stream stream, int64_t time_ns, const char* data, size_t len) override;
  void close() override;

 private:
  struct Pending {
    std::string text;
    int64_t time_ns = 0;
  };
  void emit(sdk::Stream stream, int64_t time_ns, std::string text, bool partial, std::string& out);
  void append(const std::string& records);
  void write_out(const char* data, size_t len);
  void rotate();
  void open_current();

  Options opts_;
  int fd_ = -1;
  uint64_t size_ = 0;
  Pending pending_[2];  // per stream
};

// Every record in the files of opts (oldest file first), filtered.
std::vector<sdk::LogRecord> read_records(const Options& opts, const sdk::ReadOptions& read);

}  // namespace engine::logging
