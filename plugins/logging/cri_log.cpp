#include "cri_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string_view>

namespace engine::logging {
namespace {

using sdk::PluginError;
using sdk::Stream;

constexpr size_t kBatch = 64 << 10;      // formatted records held before a write(2)
constexpr size_t kReadBlock = 64 << 10;  // the reader's step backwards through a file
constexpr size_t kSeedBlock = 4 << 10;   // enough to find the last record's time at open
constexpr size_t kMaxLineLimit = 1 << 20;  // pending lines live in the small monitor process
constexpr int64_t kNsPerSec = 1000000000;

// ---- options ----

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Digits with an optional k, m or g suffix (binary multiples) and an optional b, like docker's "10m".
bool parse_size(const std::string& text, uint64_t* out) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) return false;
  std::string unit = lower(std::string(end, text.data() + text.size()));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  int shift = unit.empty() ? 0 : unit == "k" ? 10 : unit == "m" ? 20 : unit == "g" ? 30 : -1;
  if (shift < 0 || n > (UINT64_MAX >> shift)) return false;
  *out = n << shift;
  return true;
}

uint64_t size_option(const std::string& key, const std::string& value) {
  uint64_t n = 0;
  if (!parse_size(value, &n))
    throw PluginError("log-opt " + key + "=" + value + ": not a size (bytes, or with a k, m or g suffix like 10m)");
  return n;
}

int max_file_option(const std::string& value) {
  int n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty() || n < 1 || n > 1000)
    throw PluginError("log-opt max-file=" + value + ": must be a number from 1 to 1000");
  return n;
}

std::string rotated(const std::string& path, int n) { return path + "." + std::to_string(n); }

// The current file first, then path.1 ... path.(max_file-1): newest records first.
std::vector<std::string> files_newest_first(const Options& opts) {
  std::vector<std::string> files{opts.path};
  for (int n = 1; n < opts.max_file; ++n) files.push_back(rotated(opts.path, n));
  return files;
}

// ---- time ----

// Reads exactly `count` digits.
bool digits(std::string_view& s, size_t count, int* out) {
  if (s.size() < count) return false;
  int n = 0;
  for (size_t i = 0; i < count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    n = n * 10 + (s[i] - '0');
  }
  s.remove_prefix(count);
  *out = n;
  return true;
}

bool literal(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

// The fraction after the seconds, if any, in ns; 1 to 9 digits.
bool fraction(std::string_view& s, int64_t* ns) {
  *ns = 0;
  if (!literal(s, '.')) return true;
  size_t count = 0;
  for (; count < s.size() && count < 10 && s[count] >= '0' && s[count] <= '9'; ++count)
    *ns = *ns * 10 + (s[count] - '0');
  if (count == 0 || count > 9) return false;
  for (size_t i = count; i < 9; ++i) *ns *= 10;
  s.remove_prefix(count);
  return true;
}

// "Z" or "+hh:mm"/"-hh:mm", as seconds east of UTC.
bool zone(std::string_view& s, int64_t* offset) {
  *offset = 0;
  if (literal(s, 'Z')) return s.empty();
  int sign = s.empty() ? 0 : s[0] == '+' ? 1 : s[0] == '-' ? -1 : 0;
  if (sign == 0) return false;
  s.remove_prefix(1);
  int hh = 0, mm = 0;
  if (!digits(s, 2, &hh) || !literal(s, ':') || !digits(s, 2, &mm) || !s.empty() || hh > 23 || mm > 59)
    return false;
  *offset = sign * (hh * 3600 + mm * 60);
  return true;
}

// ---- records ----

constexpr size_t kTimeLen = 30;  // "2016-10-06T00:17:09.669794202Z"

size_t record_size(size_t text_len) { return kTimeLen + std::strlen(" stdout F ") + text_len + 1; }

void format_time_into(int64_t ns, char (&buf)[96]) {
  int64_t secs = ns / kNsPerSec, frac = ns % kNsPerSec;
  if (frac < 0) {  // before the epoch: floor, so the fraction stays positive
    frac += kNsPerSec;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm{};
  gmtime_r(&t, &tm);
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
}

void append_record(std::string& out, int64_t time_ns, Stream stream, bool partial, std::string_view text) {
  char time[96];
  format_time_into(time_ns, time);
  out += time;
  out += stream == Stream::stdout_stream ? " stdout " : " stderr ";
  out += partial ? "P " : "F ";
  out += text;
  out += '\n';
}

// ---- reading files backwards ----

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool read_at(int fd, char* buf, size_t len, off_t pos) {
  while (len > 0) {
    ssize_t n = ::pread(fd, buf, len, pos);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // an error, or the file shrank under us
    buf += n;
    len -= static_cast<size_t>(n);
    pos += n;
  }
  return true;
}

// Calls fn(line) for each complete line of a regular file, last line first, reading blocks
// from the end: a tail costs what it reads, not the file's size. A last line without its
// newline is a record still being written and is skipped. Returns false when fn did (stop).
template <typename Fn>
bool scan_backward(const std::string& path, size_t block_size, Fn&& fn) {
  // O_NONBLOCK: a fifo given as path must not hang the reader; only regular files are read.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  struct stat st;
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) return true;
  std::string block(block_size, '\0');
  std::vector<std::string> later;  // the current line's bytes from blocks already read, newest first
  auto line_with = [&later](std::string_view head) {
    std::string line(head);
    for (auto it = later.rbegin(); it != later.rend(); ++it) line += *it;
    later.clear();
    return line;
  };
  bool seen_newline = false;
  off_t pos = st.st_size;
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<off_t>(static_cast<off_t>(block_size), pos));
    pos -= static_cast<off_t>(n);
    if (!read_at(f.fd, block.data(), n, pos)) return true;
    size_t end = n;
    for (size_t i = n; i-- > 0;) {
      if (block[i] != '\n') continue;
      if (seen_newline && !fn(line_with(std::string_view(block.data() + i + 1, end - i - 1)))) return false;
      seen_newline = true;
      end = i;
    }
    if (seen_newline) later.emplace_back(block.data(), end);
  }
  return !seen_newline || fn(line_with({}));  // the file's first line
}

// The time of the newest record already kept, so a new writer does not go back in time.
int64_t newest_time(const Options& opts) {
  int64_t newest = 0;
  auto last = [&newest](const std::string& line) {
    sdk::LogRecord r;
    if (!parse_record(line, &r)) return true;
    newest = r.time_ns;
    return false;
  };
  for (const auto& file : files_newest_first(opts))
    if (!scan_backward(file, kSeedBlock, last)) break;
  return newest;
}

}  // namespace

Options parse_options(const std::map<std::string, std::string>& opts, const std::string& container_dir) {
  Options o;
  o.path = container_dir + "/container.log";
  for (const auto& [key, value] : opts) {
    if (key == "path") {
      if (value.empty() || value[0] != '/' || value.back() == '/')
        throw PluginError("log-opt path=" + value + ": must be an absolute file path");
      o.path = value;
    } else if (key == "max-size") {
      o.max_size = size_option(key, value);
    } else if (key == "max-file") {
      o.max_file = max_file_option(value);
    } else if (key == "max-line") {
      uint64_t n = size_option(key, value);
      if (n < 1 || n > kMaxLineLimit) throw PluginError("log-opt max-line=" + value + ": must be from 1 to 1m");
      o.max_line = static_cast<size_t>(n);
    } else {
      throw PluginError("log-opt " + key + ": unknown option (known: path, max-size, max-file, max-line)");
    }
  }
  return o;
}

std::string format_time(int64_t ns) {
  char buf[96];
  format_time_into(ns, buf);
  return buf;
}

bool parse_time(std::string_view s, int64_t* ns) {
  struct tm tm{};
  int64_t frac = 0, offset = 0;
  if (!digits(s, 4, &tm.tm_year) || !literal(s, '-') || !digits(s, 2, &tm.tm_mon) || !literal(s, '-') ||
      !digits(s, 2, &tm.tm_mday) || !literal(s, 'T') || !digits(s, 2, &tm.tm_hour) || !literal(s, ':') ||
      !digits(s, 2, &tm.tm_min) || !literal(s, ':') || !digits(s, 2, &tm.tm_sec) || !fraction(s, &frac) ||
      !zone(s, &offset))
    return false;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *ns = (int64_t{timegm(&tm)} - offset) * kNsPerSec + frac;
  return true;
}

std::string format_record(const sdk::LogRecord& r) {
  std::string line;
  append_record(line, r.time_ns, r.stream, r.partial, r.text);
  return line;
}

// "<time> <stream> <tags> <text>"; tags are ':'-separated and the first is F or P (CRI).
bool parse_record(std::string_view line, sdk::LogRecord* r) {
  size_t space = line.find(' ');
  if (space == std::string_view::npos || !parse_time(line.substr(0, space), &r->time_ns)) return false;
  line.remove_prefix(space + 1);
  if (line.substr(0, 7) == "stdout ") r->stream = Stream::stdout_stream;
  else if (line.substr(0, 7) == "stderr ") r->stream = Stream::stderr_stream;
  else return false;
  line.remove_prefix(7);
  size_t tags_end = std::min(line.find(' '), line.size());
  std::string_view first_tag = line.substr(0, std::min(line.find(':'), tags_end));
  if (first_tag != "F" && first_tag != "P") return false;
  r->partial = first_tag == "P";
  // An empty line may have lost the space after its tags.
  r->text = tags_end < line.size() ? std::string(line.substr(tags_end + 1)) : std::string();
  return true;
}

// ---- writer ----

CriWriter::CriWriter(Options opts) : opts_(std::move(opts)) {
  if (!open_current()) throw_if_failed();  // a bad path fails create, not the first write
  last_time_ = newest_time(opts_);
}

CriWriter::~CriWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void CriWriter::write(Stream stream, int64_t time_ns, const char* data, size_t len) {
  // The whole chunk is split even when a write fails, so the line state stays right.
  Pending& p = pending(stream);
  const char* end = data + len;
  while (data < end) {
    const char* nl = static_cast<const char*>(std::memchr(data, '\n', static_cast<size_t>(end - data)));
    take(p, stream, time_ns, data, static_cast<size_t>((nl ? nl : end) - data));
    if (!nl) break;
    end_line(p, stream, time_ns);
    data = nl + 1;
  }
  write_batch();
  throw_if_failed();
}

void CriWriter::close() {
  // Lines that never got their newline end as P records (see the header), older one first.
  int first = pending_[1].time_ns < pending_[0].time_ns ? 1 : 0;
  for (int i : {first, 1 - first}) {
    Pending& p = pending_[i];
    if (p.text.empty()) continue;
    emit(i == 0 ? Stream::stdout_stream : Stream::stderr_stream, p.time_ns, p.text, true);
    p.text.clear();
  }
  write_batch();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;  // a later write (not expected) would reopen
  throw_if_failed();
}

// Adds bytes without a newline to the stream's line. A full line is cut into a P record only
// when more of it follows: a line of exactly max_line bytes stays one F record, and a '\r'
// ending a full line still meets the '\n' of a pty's "\r\n" in the next chunk.
void CriWriter::take(Pending& p, Stream stream, int64_t time_ns, const char* data, size_t len) {
  while (len > 0) {
    if (p.text.size() >= opts_.max_line) {
      emit(stream, time_ns, p.text, true);
      p.text.clear();
    }
    size_t n = std::min(len, opts_.max_line - p.text.size());
    p.text.append(data, n);
    p.time_ns = time_ns;
    data += n;
    len -= n;
  }
}

void CriWriter::end_line(Pending& p, Stream stream, int64_t time_ns) {
  if (!p.text.empty() && p.text.back() == '\r') p.text.pop_back();  // the pty's "\r\n"
  emit(stream, time_ns, p.text, false);
  p.text.clear();
}

void CriWriter::emit(Stream stream, int64_t time_ns, const std::string& text, bool partial) {
  last_time_ = std::max(last_time_, time_ns);
  size_t size = record_size(text.size());
  uint64_t file_size = size_ + batch_.size();
  // Rotate before the record that would push the file past max-size: records never straddle
  // files, and a record larger than max-size gets a file of its own.
  if (opts_.max_size > 0 && regular_ && file_size > 0 && file_size + size > opts_.max_size) {
    write_batch();
    rotate();
  } else if (batch_.size() + size > kBatch) {
    write_batch();
  }
  append_record(batch_, last_time_, stream, partial, text);
}

// One write(2) per batch, so a reader sees whole records. A failed batch is dropped and what
// part of it got written is cut off again: the file never keeps a torn record.
void CriWriter::write_batch() {
  if (batch_.empty()) return;
  if (fd_ < 0 && !open_current()) {  // an earlier failure: try again
    batch_.clear();
    return;
  }
  size_t done = 0;
  while (done < batch_.size()) {
    ssize_t n = ::write(fd_, batch_.data() + done, batch_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      struct stat st;
      if (done > 0 && regular_ && ::fstat(fd_, &st) == 0 && st.st_size >= static_cast<off_t>(done) &&
          ::ftruncate(fd_, st.st_size - static_cast<off_t>(done)) == 0)
        done = 0;
      size_ += done;
      fail("write " + opts_.path + ": " + std::strerror(err));
      batch_.clear();
      return;
    }
    done += static_cast<size_t>(n);
  }
  size_ += done;
  batch_.clear();
  if (batch_.capacity() > 2 * kBatch) batch_.shrink_to_fit();  // after a record of a huge max-line
}

// path.(n-1) -> path.n ... path -> path.1 (rename replaces, so the oldest beyond max-file
// goes), then a new path. If the current file cannot be moved, writing goes on in it.
void CriWriter::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  for (int n = opts_.max_file - 2; n >= 1; --n)
    ::rename(rotated(opts_.path, n).c_str(), rotated(opts_.path, n + 1).c_str());
  int moved = opts_.max_file > 1 ? ::rename(opts_.path.c_str(), rotated(opts_.path, 1).c_str())
                                 : ::unlink(opts_.path.c_str());
  int err = errno;
  if (moved != 0 && err != ENOENT) fail("rotate " + opts_.path + ": " + std::strerror(err));
  size_ = 0;  // no current file until one opens
  open_current();
}

bool CriWriter::open_current() {
  fd_ = ::open(opts_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    fail("open " + opts_.path + ": " + std::strerror(errno));
    return false;
  }
  struct stat st;
  bool known = ::fstat(fd_, &st) == 0;
  regular_ = !known || S_ISREG(st.st_mode);
  size_ = known && regular_ ? static_cast<uint64_t>(st.st_size) : 0;
  return true;
}

void CriWriter::fail(const std::string& what) {
  if (!error_) error_ = what;
}

void CriWriter::throw_if_failed() {
  if (!error_) return;
  std::string what = std::move(*error_);
  error_.reset();
  throw PluginError(what);
}

// ---- reader ----

std::vector<sdk::LogRecord> read_records(const Options& opts, const sdk::ReadOptions& read) {
  std::vector<sdk::LogRecord> newest_first;
  if (read.tail == 0) return newest_first;
  auto keep = [&](const std::string& line) {
    sdk::LogRecord r;
    if (!parse_record(line, &r)) return true;      // malformed: skipped
    if (r.time_ns < read.since_ns) return false;   // files are in time order: the rest is older
    newest_first.push_back(std::move(r));
    return read.tail < 0 || newest_first.size() < static_cast<size_t>(read.tail);
  };
  for (const auto& file : files_newest_first(opts))
    if (!scan_backward(file, kReadBlock, keep)) break;
  std::reverse(newest_first.begin(), newest_first.end());
  return newest_first;
}

}  // namespace engine::logging
