#include "cri_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

namespace engine::logging {
namespace {

using sdk::PluginError;

uint64_t parse_size(const std::string& key, const std::string& value) {
  char* end = nullptr;
  errno = 0;
  double n = std::strtod(value.c_str(), &end);
  std::string unit(end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double mult = unit.empty() || unit == "b" ? 1
                : unit == "k" || unit == "kb" ? 1024.0
                : unit == "m" || unit == "mb" ? 1024.0 * 1024
                : unit == "g" || unit == "gb" ? 1024.0 * 1024 * 1024
                                              : -1;
  if (end == value.c_str() || errno != 0 || n < 0 || mult < 0)
    throw PluginError("log-opt " + key + "=" + value + ": not a size (like 10m, 512k, 1g)");
  return static_cast<uint64_t>(n * mult);
}

std::string rotated(const std::string& path, int n) { return path + "." + std::to_string(n); }

}  // namespace

Options parse_options(const std::map<std::string, std::string>& opts, const std::string& container_dir) {
  Options o;
  o.path = container_dir + "/container.log";
  for (const auto& [key, value] : opts) {
    if (key == "path") {
      if (value.empty() || value[0] != '/') throw PluginError("log-opt path=" + value + ": must be an absolute path");
      o.path = value;
    } else if (key == "max-size") {
      o.max_size = parse_size(key, value);
    } else if (key == "max-file") {
      char* end = nullptr;
      long n = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 1000) throw PluginError("log-opt max-file=" + value + ": must be 1 to 1000");
      o.max_file = static_cast<int>(n);
    } else if (key == "max-line") {
      o.max_line = std::max<uint64_t>(parse_size(key, value), 1);
    } else {
      throw PluginError("log-opt " + key + ": unknown option (known: path, max-size, max-file, max-line)");
    }
  }
  return o;
}

std::string format_time(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns % 1000000000));
  return buf;
}

bool parse_time(const std::string& text, int64_t* ns) {
  struct tm tm{};
  int frac_start = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &frac_start) != 6 || frac_start == 0)
    return false;
  int64_t frac = 0;
  int digits = 0;
  const char* p = text.c_str() + frac_start;
  for (; *p >= '0' && *p <= '9'; ++p, ++digits)
    if (digits < 9) frac = frac * 10 + (*p - '0');
  if (*p != 'Z' || digits == 0) return false;
  for (; digits < 9; ++digits) frac *= 10;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *ns = int64_t{timegm(&tm)} * 1000000000 + frac;
  return true;
}

std::string format_record(const sdk::LogRecord& r) {
  std::string line = format_time(r.time_ns);
  line += r.stream == sdk::Stream::stdout_stream ? " stdout " : " stderr ";
  line += r.partial ? "P " : "F ";
  line += r.text;
  line += '\n';
  return line;
}

bool parse_record(const std::string& line, sdk::LogRecord* r) {
  size_t s1 = line.find(' ');
  if (s1 == std::string::npos || !parse_time(line.substr(0, s1), &r->time_ns)) return false;
  if (line.compare(s1 + 1, 7, "stdout ") == 0) r->stream = sdk::Stream::stdout_stream;
  else if (line.compare(s1 + 1, 7, "stderr ") == 0) r->stream = sdk::Stream::stderr_stream;
  else return false;
  size_t tag = s1 + 8;
  if (tag + 1 >= line.size() + 1 || (line[tag] != 'F' && line[tag] != 'P')) return false;
  r->partial = line[tag] == 'P';
  r->text = tag + 2 <= line.size() ? line.substr(tag + 2) : std::string();
  return true;
}

CriWriter::CriWriter(Options opts) : opts_(std::move(opts)) { open_current(); }

CriWriter::~CriWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void CriWriter::open_current() {
  fd_ = ::open(opts_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) throw PluginError("open " + opts_.path + ": " + std::strerror(errno));
  struct stat st;
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

void CriWriter::rotate() {
  ::close(fd_);
  fd_ = -1;
  // container.log.(n-1) -> .n ... container.log -> .1; the oldest beyond max-file goes.
  ::unlink(rotated(opts_.path, opts_.max_file - 1).c_str());
  for (int n = opts_.max_file - 2; n >= 1; --n)
    ::rename(rotated(opts_.path, n).c_str(), rotated(opts_.path, n + 1).c_str());
  if (opts_.max_file > 1) ::rename(opts_.path.c_str(), rotated(opts_.path, 1).c_str());
  else ::unlink(opts_.path.c_str());
  open_current();
}

void CriWriter::write_out(const char* p, size_t left) {
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw PluginError("write " + opts_.path + ": " + std::strerror(errno));
    p += n;
    left -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
}

void CriWriter::append(const std::string& records) {
  if (records.empty()) return;
  if (fd_ < 0) open_current();  // an earlier failure: try again
  // One write per batch; a record is never split across files: rotate before the record
  // that would push the current file past max-size.
  size_t batch = 0, pos = 0;
  while (pos < records.size()) {
    size_t next = records.find('\n', pos) + 1;
    if (opts_.max_size && size_ + (next - batch) > opts_.max_size && size_ + (pos - batch) > 0) {
      write_out(records.data() + batch, pos - batch);
      batch = pos;
      if (size_ > 0) rotate();
    }
    pos = next;
  }
  write_out(records.data() + batch, pos - batch);
}

void CriWriter::emit(sdk::Stream stream, int64_t time_ns, std::string text, bool partial, std::string& out) {
  sdk::LogRecord r;
  r.time_ns = time_ns;
  r.stream = stream;
  r.partial = partial;
  r.text = std::move(text);
  out += format_record(r);
}

void CriWriter::write(sdk::Stream stream, int64_t time_ns, const char* data, size_t len) {
  Pending& p = pending_[stream == sdk::Stream::stdout_stream ? 0 : 1];
  if (p.text.empty()) p.time_ns = time_ns;
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    char c = data[i];
    if (c == '\n') {
      // A pty turns \n into \r\n: the \r is not part of the text.
      if (!p.text.empty() && p.text.back() == '\r') p.text.pop_back();
      emit(stream, p.time_ns, std::move(p.text), false, out);
      p.text.clear();
      p.time_ns = time_ns;
      continue;
    }
    p.text.push_back(c);
    if (p.text.size() >= opts_.max_line) {
      emit(stream, p.time_ns, std::move(p.text), true, out);
      p.text.clear();
      p.time_ns = time_ns;
    }
  }
  append(out);
}

void CriWriter::close() {
  // A last line without its newline is a whole record still: written as F.
  std::string out;
  for (int i = 0; i < 2; ++i) {
    Pending& p = pending_[i];
    if (p.text.empty()) continue;
    if (p.text.back() == '\r') p.text.pop_back();
    emit(i == 0 ? sdk::Stream::stdout_stream : sdk::Stream::stderr_stream, p.time_ns, std::move(p.text), false, out);
    p.text.clear();
  }
  append(out);
}

std::vector<sdk::LogRecord> read_records(const Options& opts, const sdk::ReadOptions& read) {
  std::vector<std::string> files;
  for (int n = opts.max_file - 1; n >= 1; --n) files.push_back(rotated(opts.path, n));
  files.push_back(opts.path);
  std::vector<sdk::LogRecord> out;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      sdk::LogRecord r;
      if (parse_record(line, &r) && r.time_ns >= read.since_ns) out.push_back(std::move(r));
    }
  }
  if (read.tail >= 0 && out.size() > static_cast<size_t>(read.tail))
    out.erase(out.begin(), out.end() - read.tail);
  return out;
}

}  // namespace engine::logging
