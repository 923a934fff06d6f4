// The logging plugin: CRI records, line splitting, rotation, reading back, errors; and the
// built logging.so loaded for real. The driver's core is compiled into this test directly.
#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>

#include "../../plugins/logging/cri_log.cpp"
#include "common/error.hpp"
#include "plugins/registry.hpp"

namespace engine::logging {
namespace {

namespace fs = std::filesystem;
using sdk::LogRecord;
using sdk::PluginError;
using sdk::ReadOptions;
using sdk::Stream;

constexpr int64_t kT0 = 1475713029669794202;  // 2016-10-06T00:17:09.669794202Z
constexpr Stream kOut = Stream::stdout_stream;
constexpr Stream kErr = Stream::stderr_stream;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/log_driver_test.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string log() const { return path_ + "/container.log"; }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::unique_ptr<CriWriter> writer(const TempDir& dir, std::map<std::string, std::string> opts = {}) {
  return std::make_unique<CriWriter>(parse_options(opts, dir.path()));
}

void write(CriWriter& w, Stream s, int64_t t, const std::string& text) { w.write(s, t, text.data(), text.size()); }

std::vector<LogRecord> read(const TempDir& dir, std::map<std::string, std::string> opts = {},
                            ReadOptions read = {}) {
  return read_records(parse_options(opts, dir.path()), read);
}

std::vector<std::string> texts(const std::vector<LogRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.text);
  return out;
}

std::string numbered(int i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "line-%04d", i);
  return buf;
}

std::vector<std::string> numbered_range(int first, int last) {
  std::vector<std::string> out;
  for (int i = first; i <= last; ++i) out.push_back(numbered(i));
  return out;
}

// Writes lines first..last to stdout in chunks of varying size, cutting lines anywhere.
void write_numbered(CriWriter& w, int first, int last) {
  std::string all;
  for (int i = first; i <= last; ++i) all += numbered(i) + "\n";
  size_t pos = 0, step = 1;
  int64_t t = kT0;
  while (pos < all.size()) {
    size_t n = std::min(step, all.size() - pos);
    w.write(kOut, t++, all.data() + pos, n);
    pos += n;
    step = step % 37 + 3;
  }
}

// ---- format ----

TEST(CriFormat, TimeOfAKnownInstant) {
  EXPECT_EQ(format_time(kT0), "2016-10-06T00:17:09.669794202Z");
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_time(1'000'000'007), "1970-01-01T00:00:01.000000007Z");
}

TEST(CriFormat, ParsesTimesGoWrites) {
  int64_t ns = 0;
  ASSERT_TRUE(parse_time("2016-10-06T00:17:09.669794202Z", &ns));
  EXPECT_EQ(ns, kT0);
  ASSERT_TRUE(parse_time("2016-10-06T00:17:09.6697942Z", &ns));  // RFC3339Nano drops trailing zeros
  EXPECT_EQ(ns, kT0 - 2);
  ASSERT_TRUE(parse_time("2016-10-06T00:17:09Z", &ns));
  EXPECT_EQ(ns, kT0 - 669794202);
  ASSERT_TRUE(parse_time("2016-10-06T02:17:09.669794202+02:00", &ns));
  EXPECT_EQ(ns, kT0);
  for (const char* bad : {"", "2016-10-06", "2016-10-06T00:17:09", "2016-10-06T00:17:09.Z",
                          "2016-13-06T00:17:09Z", "2016-10-06T00:17:09.1234567890Z", "2016-10-06 00:17:09Z",
                          "2016-10-06T00:17:09Zx", " 016-10-06T00:17:09Z"})
    EXPECT_FALSE(parse_time(bad, &ns)) << bad;
}

TEST(CriFormat, RecordRoundTrip) {
  LogRecord r{kT0, kErr, true, "some text  with spaces "};
  std::string line = format_record(r);
  EXPECT_EQ(line, "2016-10-06T00:17:09.669794202Z stderr P some text  with spaces \n");
  LogRecord back;
  ASSERT_TRUE(parse_record(std::string_view(line).substr(0, line.size() - 1), &back));
  EXPECT_EQ(back.time_ns, kT0);
  EXPECT_EQ(back.stream, kErr);
  EXPECT_TRUE(back.partial);
  EXPECT_EQ(back.text, r.text);
}

TEST(CriFormat, ParsesEmptyTextAndExtraTags) {
  LogRecord r;
  ASSERT_TRUE(parse_record("2016-10-06T00:17:09.669794202Z stdout F ", &r));
  EXPECT_EQ(r.text, "");
  ASSERT_TRUE(parse_record("2016-10-06T00:17:09.669794202Z stdout F", &r));
  EXPECT_EQ(r.text, "");
  ASSERT_TRUE(parse_record("2016-10-06T00:17:09.669794202Z stdout P:x hi", &r));
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.text, "hi");
  for (const char* bad : {"", "garbage", "2016-10-06T00:17:09.669794202Z", "2016-10-06T00:17:09.669794202Z stdin F x",
                          "2016-10-06T00:17:09.669794202Z stdout X x", "2016-10-06T00:17:09.669794202Z stdout FF x",
                          "yesterday stdout F x"})
    EXPECT_FALSE(parse_record(bad, &r)) << bad;
}

// ---- writer ----

TEST(CriWriter, ExactLineWithAFixedTime) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "hello\n");
  write(*w, kErr, kT0 + 1, "oops\n");
  EXPECT_EQ(slurp(dir.log()),
            "2016-10-06T00:17:09.669794202Z stdout F hello\n"
            "2016-10-06T00:17:09.669794203Z stderr F oops\n");
  auto perms = fs::status(dir.log()).permissions();  // 0640, less what the umask takes
  EXPECT_EQ(perms & fs::perms::all & ~(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read),
            fs::perms::none);
  EXPECT_NE(perms & fs::perms::owner_write, fs::perms::none);
}

TEST(CriWriter, LinesSplitAcrossChunksJoin) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "hel");
  write(*w, kOut, kT0 + 1, "lo\nwor");
  write(*w, kOut, kT0 + 2, "");
  write(*w, kOut, kT0 + 3, "ld\n\nlast\n");
  auto records = read(dir);
  EXPECT_EQ(texts(records), (std::vector<std::string>{"hello", "world", "", "last"}));
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].time_ns, kT0 + 1);  // the time of the chunk that ended the line
  EXPECT_EQ(records[1].time_ns, kT0 + 3);
  for (const auto& r : records) EXPECT_FALSE(r.partial);
}

TEST(CriWriter, PtyCarriageReturnsBeforeNewlineAreDropped) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "one\r\ntwo\r");
  write(*w, kOut, kT0, "\nthree\r\n\r\n");
  w->close();
  std::string file = slurp(dir.log());
  EXPECT_EQ(file.find('\r'), std::string::npos) << file;
  EXPECT_EQ(texts(read(dir)), (std::vector<std::string>{"one", "two", "three", ""}));
}

TEST(CriWriter, OtherCarriageReturnsAreKept) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "10%\r50%\r100%\r\n\rx\n");
  EXPECT_EQ(texts(read(dir)), (std::vector<std::string>{"10%\r50%\r100%", "\rx"}));
}

TEST(CriWriter, StreamsKeepTheirOwnPartialLines) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "out-a");
  write(*w, kErr, kT0 + 1, "err-a");
  write(*w, kOut, kT0 + 2, "-out-b\nout-2");
  write(*w, kErr, kT0 + 3, "-err-b\n");
  write(*w, kOut, kT0 + 4, "\n");
  auto records = read(dir);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].stream, kOut);
  EXPECT_EQ(records[0].text, "out-a-out-b");
  EXPECT_EQ(records[1].stream, kErr);
  EXPECT_EQ(records[1].text, "err-a-err-b");
  EXPECT_EQ(records[2].stream, kOut);
  EXPECT_EQ(records[2].text, "out-2");
}

TEST(CriWriter, CloseWritesPendingLinesAsPartial) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kOut, kT0, "done\nprompt> ");
  write(*w, kErr, kT0 + 5, "no newline");
  w->close();
  EXPECT_EQ(slurp(dir.log()),
            "2016-10-06T00:17:09.669794202Z stdout F done\n"
            "2016-10-06T00:17:09.669794202Z stdout P prompt> \n"
            "2016-10-06T00:17:09.669794207Z stderr P no newline\n");
  w->close();  // nothing pending: nothing more
  EXPECT_EQ(read(dir).size(), 3u);
}

TEST(CriWriter, CloseWritesTheOlderPendingLineFirst) {
  TempDir dir;
  auto w = writer(dir);
  write(*w, kErr, kT0, "err first");
  write(*w, kOut, kT0 + 5, "out later");
  w->close();
  auto records = read(dir);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].text, "err first");
  EXPECT_EQ(records[1].text, "out later");
  EXPECT_TRUE(records[0].partial && records[1].partial);
}

TEST(CriWriter, LongLinesAreCutIntoPartialRecords) {
  TempDir dir;
  auto w = writer(dir, {{"max-line", "16"}});
  std::string forty(40, 'x');
  write(*w, kOut, kT0, forty + "\n");
  write(*w, kOut, kT0, std::string(16, 'y') + "\n");  // exactly max-line: one F record
  auto records = read(dir, {{"max-line", "16"}});
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].text, std::string(16, 'x'));
  EXPECT_TRUE(records[0].partial);
  EXPECT_EQ(records[1].text, std::string(16, 'x'));
  EXPECT_TRUE(records[1].partial);
  EXPECT_EQ(records[2].text, std::string(8, 'x'));
  EXPECT_FALSE(records[2].partial);
  EXPECT_EQ(records[3].text, std::string(16, 'y'));
  EXPECT_FALSE(records[3].partial);
}

TEST(CriWriter, CarriageReturnAtACutWaitsForItsNewline) {
  TempDir dir;
  auto w = writer(dir, {{"max-line", "4"}});
  write(*w, kOut, kT0, "abc\r");
  write(*w, kOut, kT0, "\n");
  write(*w, kOut, kT0, "abcdefg\r");
  write(*w, kOut, kT0, "\n");
  EXPECT_EQ(slurp(dir.log()).find('\r'), std::string::npos);
  std::string joined;
  for (const auto& r : read(dir)) joined += r.text + (r.partial ? "" : "\n");
  EXPECT_EQ(joined, "abc\nabcdefg\n");
}

TEST(CriWriter, TimesNeverGoBackwards) {
  TempDir dir;
  {
    auto w = writer(dir);
    write(*w, kOut, kT0 + 100, "a\n");
    write(*w, kErr, kT0, "b\n");  // the clock stepped back
  }
  auto w = writer(dir);  // a new writer continues from the file's last record
  write(*w, kOut, kT0 - 5, "c\n");
  write(*w, kOut, kT0 + 200, "d\n");
  auto records = read(dir);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].time_ns, kT0 + 100);
  EXPECT_EQ(records[1].time_ns, kT0 + 100);
  EXPECT_EQ(records[2].time_ns, kT0 + 100);
  EXPECT_EQ(records[3].time_ns, kT0 + 200);
}

// ---- rotation ----

std::vector<std::string> log_files(const TempDir& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir.path())) files.push_back(e.path().filename());
  std::sort(files.begin(), files.end());
  return files;
}

// Every record is 50 bytes: 30 time + " stdout F " + "line-NNNN" + "\n".
TEST(Rotation, KeepsEveryRecordAcrossFiles) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "4k"}, {"max-file", "100"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 1000);
  w->close();
  // 81 records (4050 bytes) fit in 4096: 13 files.
  auto files = log_files(dir);
  EXPECT_EQ(files.size(), 13u);
  EXPECT_TRUE(fs::exists(dir.log() + ".12"));
  EXPECT_FALSE(fs::exists(dir.log() + ".13"));
  for (const auto& f : files) {
    std::string text = slurp(dir.path() + "/" + f);
    EXPECT_LE(text.size(), 4096u) << f;
    EXPECT_EQ(text.size() % 50, 0u) << f;  // whole records only
    EXPECT_EQ(text.back(), '\n') << f;
  }
  EXPECT_EQ(slurp(dir.log() + ".12").substr(30, 20), " stdout F line-0001\n");
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(1, 1000));
}

TEST(Rotation, DropsExactlyTheOldestFiles) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "1k"}, {"max-file", "3"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 1000);
  // 20 records per file: the last three files hold lines 941..1000.
  EXPECT_EQ(log_files(dir), (std::vector<std::string>{"container.log", "container.log.1", "container.log.2"}));
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(941, 1000));
  EXPECT_EQ(texts(read(dir, {{"max-size", "1k"}})), numbered_range(941, 1000));  // max-file 3 is the default
}

TEST(Rotation, OneFileStartsOver) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "100"}, {"max-file", "1"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 5);
  EXPECT_EQ(log_files(dir), std::vector<std::string>{"container.log"});
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(5, 5));
}

TEST(Rotation, ARecordLargerThanMaxSizeGetsItsOwnFile) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "60"}, {"max-file", "10"}};
  auto w = writer(dir, opts);
  write(*w, kOut, kT0, "short\n" + std::string(100, 'L') + "\nshort again\n");
  EXPECT_EQ(log_files(dir).size(), 3u);
  EXPECT_EQ(texts(read(dir, opts)), (std::vector<std::string>{"short", std::string(100, 'L'), "short again"}));
}

TEST(Rotation, ContinuesAnExistingFile) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "1k"}, {"max-file", "5"}};
  writer(dir, opts);
  write_numbered(*writer(dir, opts), 1, 15);  // 750 bytes
  write_numbered(*writer(dir, opts), 16, 30);  // the existing size counts: rotates after line 20
  EXPECT_EQ(slurp(dir.log() + ".1").size(), 1000u);
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(1, 30));
}

TEST(Rotation, AFileThatCannotBeMovedIsReportedAndKept) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "100"}, {"max-file", "2"}};
  fs::create_directories(dir.log() + ".1/blocker");  // rename(container.log, container.log.1) fails
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 2);
  try {
    write_numbered(*w, 3, 3);
    ADD_FAILURE() << "no PluginError";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("rotate " + dir.log() + ": "), std::string::npos) << e.what();
  }
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(1, 3));  // nothing lost: still the same file
}

TEST(Rotation, AFifoIsNeverRotated) {
  TempDir dir;
  std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Fd reader{::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  std::map<std::string, std::string> opts{{"path", fifo}, {"max-size", "100"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 5);
  EXPECT_EQ(log_files(dir), std::vector<std::string>{"fifo"});
  char buf[1024];
  EXPECT_EQ(::read(reader.fd, buf, sizeof buf), 250);
  EXPECT_TRUE(read(dir, opts).empty());  // only regular files are read back, and without blocking
}

// ---- reader ----

TEST(Reader, TailAndSince) {
  TempDir dir;
  auto w = writer(dir);
  for (int i = 0; i < 10; ++i) write(*w, i % 2 ? kErr : kOut, kT0 + i * 1000, numbered(i) + "\n");
  auto read_with = [&](int64_t since, int64_t tail) { return texts(read(dir, {}, ReadOptions{since, tail})); };
  EXPECT_EQ(read_with(0, -1), numbered_range(0, 9));
  EXPECT_EQ(read_with(0, 3), numbered_range(7, 9));
  EXPECT_EQ(read_with(0, 0), std::vector<std::string>{});
  EXPECT_EQ(read_with(0, 100), numbered_range(0, 9));
  EXPECT_EQ(read_with(kT0 + 5000, -1), numbered_range(5, 9));  // at or after
  EXPECT_EQ(read_with(kT0 + 4500, -1), numbered_range(5, 9));
  EXPECT_EQ(read_with(kT0 + 5000, 2), numbered_range(8, 9));
  EXPECT_EQ(read_with(kT0 + 9001, -1), std::vector<std::string>{});
}

TEST(Reader, TailAndSinceAcrossRotatedFiles) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-size", "1k"}, {"max-file", "10"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 100);
  EXPECT_EQ(texts(read(dir, opts, ReadOptions{0, 30})), numbered_range(71, 100));
  auto all = read(dir, opts);
  ASSERT_EQ(all.size(), 100u);
  size_t i = 50;  // the first of its time (a chunk may end several lines)
  while (all[i].time_ns == all[i - 1].time_ns) ++i;
  EXPECT_EQ(texts(read(dir, opts, ReadOptions{all[i].time_ns, -1})), numbered_range(static_cast<int>(i) + 1, 100));
}

TEST(Reader, SkipsMalformedLinesAndATornLastLine) {
  TempDir dir;
  put(dir.log(),
      "junk\n"
      "2016-10-06T00:17:09.669794202Z stdout F kept-1\n"
      "\n"
      "2016-10-06T00:17:09.669794202Z stdsomething F no\n"
      "2016-10-06T00:17:09.669794203Z stderr F kept-2\n"
      "2016-10-06T00:17:09.669794204Z stdout F still being wri");
  EXPECT_EQ(texts(read(dir)), (std::vector<std::string>{"kept-1", "kept-2"}));
  EXPECT_EQ(texts(read(dir, {}, ReadOptions{0, 1})), std::vector<std::string>{"kept-2"});
}

TEST(Reader, BackwardScanJoinsLinesAcrossBlocks) {
  TempDir dir;
  put(dir.log(), "first\n\nthird line is longer\nx\nfourth and last\ntorn");
  for (size_t block : {1u, 2u, 3u, 7u, 64u}) {
    std::vector<std::string> lines;
    scan_backward(dir.log(), block, [&](const std::string& l) {
      lines.push_back(l);
      return true;
    });
    EXPECT_EQ(lines, (std::vector<std::string>{"fourth and last", "x", "third line is longer", "", "first"}))
        << "block " << block;
  }
}

TEST(Reader, LinesLongerThanAReadBlock) {
  TempDir dir;
  std::map<std::string, std::string> opts{{"max-line", "1m"}};
  auto w = writer(dir, opts);
  std::string big(300 << 10, 'b');
  write(*w, kOut, kT0, "before\n" + big + "\nafter\n");
  EXPECT_EQ(texts(read(dir, opts)), (std::vector<std::string>{"before", big, "after"}));
}

TEST(Reader, NoFileNoRecords) {
  TempDir dir;
  EXPECT_TRUE(read(dir).empty());
}

// ---- options ----

TEST(Options, Defaults) {
  Options o = parse_options({}, "/run/engine/c1");
  EXPECT_EQ(o.path, "/run/engine/c1/container.log");
  EXPECT_EQ(o.max_size, 10u << 20);
  EXPECT_EQ(o.max_file, 3);
  EXPECT_EQ(o.max_line, 16u << 10);
}

TEST(Options, Sizes) {
  auto size = [](const std::string& v) { return parse_options({{"max-size", v}}, "/d").max_size; };
  EXPECT_EQ(size("100"), 100u);
  EXPECT_EQ(size("512k"), 512u << 10);
  EXPECT_EQ(size("10m"), 10u << 20);
  EXPECT_EQ(size("10M"), 10u << 20);
  EXPECT_EQ(size("10mb"), 10u << 20);
  EXPECT_EQ(size("2g"), 2ull << 30);
  EXPECT_EQ(size("0"), 0u);  // never rotate
  EXPECT_EQ(parse_options({{"max-file", "7"}}, "/d").max_file, 7);
  EXPECT_EQ(parse_options({{"path", "/var/log/x.log"}}, "/d").path, "/var/log/x.log");
}

void expect_error(const std::map<std::string, std::string>& opts, const std::string& message) {
  try {
    parse_options(opts, "/d");
    ADD_FAILURE() << "no error for " << opts.begin()->first << "=" << opts.begin()->second;
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(Options, Errors) {
  expect_error({{"colour", "blue"}}, "log-opt colour: unknown option (known: path, max-size, max-file, max-line)");
  for (const char* bad : {"", "ten", "10x", "-1", "1.5m", "10 m", "99999999999999999999", "99999999999g"})
    expect_error({{"max-size", bad}}, std::string("log-opt max-size=") + bad + ": not a size");
  for (const char* bad : {"", "0", "x", "3x", "1001", "-2"})
    expect_error({{"max-file", bad}}, std::string("log-opt max-file=") + bad + ": must be");
  for (const char* bad : {"", "relative.log", "/var/log/"})
    expect_error({{"path", bad}}, std::string("log-opt path=") + bad + ": must be an absolute file path");
  for (const char* bad : {"0", "2m"}) expect_error({{"max-line", bad}}, std::string("log-opt max-line=") + bad);
}

TEST(Options, PathPutsTheFileElsewhere) {
  TempDir dir, other;
  std::map<std::string, std::string> opts{{"path", other.path() + "/app.log"}, {"max-size", "100"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 3);
  EXPECT_FALSE(fs::exists(dir.log()));
  EXPECT_TRUE(fs::exists(other.path() + "/app.log.1"));
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(1, 3));
}

// ---- errors ----

void expect_plugin_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no PluginError";
  } catch (const PluginError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const auto& part : parts) EXPECT_NE(what.find(part), std::string::npos) << what;
  }
}

TEST(Errors, OpenFailureNamesTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/missing/dir/c.log";
  expect_plugin_error([&] { writer(dir, {{"path", path}}); }, {"open " + path + ": ", std::strerror(ENOENT)});
}

TEST(Errors, WriteFailureIsReportedAndTheWriterStaysUsable) {
  TempDir dir;
  auto w = writer(dir, {{"path", "/dev/full"}, {"max-size", "100"}});
  std::string no_space = std::strerror(ENOSPC);
  expect_plugin_error([&] { write(*w, kOut, kT0, "lost\n"); }, {"write /dev/full: " + no_space});
  write(*w, kOut, kT0, "pending");  // no record yet: no write, no error
  expect_plugin_error([&] { write(*w, kOut, kT0, "\nagain\n"); }, {"/dev/full", no_space});
  write(*w, kErr, kT0, "last words");
  expect_plugin_error([&] { w->close(); }, {"/dev/full", no_space});
  EXPECT_TRUE(fs::exists("/dev/full"));  // a device is never rotated away
}

// The file-size limit makes write(2) stop partway through a batch, as a full disk would.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim = saved_;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

TEST(Errors, AFailedBatchLeavesNoTornRecord) {
  TempDir dir;
  auto w = writer(dir);
  write_numbered(*w, 1, 2);  // 100 bytes
  {
    FileSizeLimit limit(175);  // room for one and a half records
    expect_plugin_error([&] { write(*w, kOut, kT0 + 10, numbered(3) + "\n" + numbered(4) + "\n"); },
                        {"write " + dir.log() + ": ", std::strerror(EFBIG)});
  }
  EXPECT_EQ(slurp(dir.log()).size(), 100u);  // the half-written batch was cut off again
  write(*w, kOut, kT0 + 20, numbered(5) + "\n");
  EXPECT_EQ(texts(read(dir)), (std::vector<std::string>{numbered(1), numbered(2), numbered(5)}));
}

TEST(Errors, RecoversWhenTheDirectoryComesBack) {
  TempDir dir;
  std::string sub = dir.path() + "/logs";
  fs::create_directory(sub);
  std::map<std::string, std::string> opts{{"path", sub + "/c.log"}, {"max-size", "100"}};
  auto w = writer(dir, opts);
  write_numbered(*w, 1, 2);
  fs::remove_all(sub);
  // Rotation cannot reopen the file: reported, the record is dropped.
  expect_plugin_error([&] { write_numbered(*w, 3, 3); }, {"open " + sub + "/c.log: "});
  fs::create_directory(sub);
  write_numbered(*w, 4, 4);
  EXPECT_EQ(texts(read(dir, opts)), numbered_range(4, 4));
}

// ---- the built plugin ----

std::string built_plugin() {
  return (fs::read_symlink("/proc/self/exe").parent_path() / "../plugins/logging.so").lexically_normal();
}

TEST(Plugin, LoadsAndDeclaresItself) {
  std::string file = built_plugin();
  void* lib = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << "build the logging target first: " << ::dlerror();
  auto* info = static_cast<const engine_plugin_info*>(::dlsym(lib, "engine_plugin_info_v1"));
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->struct_size, sizeof(engine_plugin_info));
  EXPECT_EQ(info->api_version, ENGINE_PLUGIN_API_VERSION);
  EXPECT_STREQ(info->kind, "log");
  EXPECT_STREQ(info->name, "logging");
  EXPECT_STREQ(info->version, "1.0.0");
  EXPECT_STREQ(info->abi_tag, ENGINE_PLUGIN_ABI_TAG);
  EXPECT_NE(std::string(info->description), "");

  // Through its C table, as the engine and the monitor use it: C++ exceptions stay inside.
  auto driver = plugins::Registry({fs::path(file).parent_path().string()}).log_driver("logging");
  TempDir dir;
  sdk::LogConfig config{"c1", dir.path(), {}};
  auto w = driver->open_writer(config);
  std::string text = "hello\r\nfrom the plugin\r\n";
  w->write(kOut, kT0, text.data(), text.size());
  w->close();
  EXPECT_EQ(slurp(dir.log()),
            "2016-10-06T00:17:09.669794202Z stdout F hello\n"
            "2016-10-06T00:17:09.669794202Z stdout F from the plugin\n");
  auto records = driver->read(config, ReadOptions{0, 1});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].text, "from the plugin");
  config.options["nope"] = "1";
  try {
    driver->open_writer(config);
    ADD_FAILURE() << "an unknown option was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos) << e.what();
  }
  EXPECT_THROW(driver->check_options(config), Error);
  ::dlclose(lib);
}

}  // namespace
}  // namespace engine::logging
