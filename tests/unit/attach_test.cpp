// Detach keys and the attach socket's framing: pure logic.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "monitor/attach_protocol.hpp"
#include "terminal/attach.hpp"

namespace engine {
namespace {

using terminal::DetachMatcher;
using terminal::parse_detach_keys;

TEST(DetachKeys, ParsesDockerStyleSpecs) {
  EXPECT_EQ(parse_detach_keys("ctrl-p,ctrl-q"), "\x10\x11");
  EXPECT_EQ(parse_detach_keys("ctrl-a,d"), "\x01" "d");
  EXPECT_EQ(parse_detach_keys("ctrl-P"), "\x10");
  EXPECT_EQ(parse_detach_keys(""), "");
  EXPECT_THROW(parse_detach_keys("ctrl-pq"), Error);
  EXPECT_THROW(parse_detach_keys("meta-x"), Error);
}

TEST(DetachMatcher, FullSequenceDetachesAndSwallowsIt) {
  DetachMatcher m("\x10\x11");
  std::string out;
  EXPECT_TRUE(m.feed("ab\x10\x11", 4, out));
  EXPECT_EQ(out, "ab");
}

TEST(DetachMatcher, SequenceSplitAcrossReads) {
  DetachMatcher m("\x10\x11");
  std::string out;
  EXPECT_FALSE(m.feed("\x10", 1, out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(m.holding());
  EXPECT_TRUE(m.feed("\x11", 1, out));
}

TEST(DetachMatcher, LonePrefixIsPassedOnWithTheNextKey) {
  DetachMatcher m("\x10\x11");
  std::string out;
  EXPECT_FALSE(m.feed("\x10x", 2, out));
  EXPECT_EQ(out, "\x10x");
  EXPECT_FALSE(m.holding());
}

TEST(DetachMatcher, RepeatedPrefixRestartsTheMatch) {
  DetachMatcher m("\x10\x11");
  std::string out;
  EXPECT_TRUE(m.feed("\x10\x10\x11", 3, out));
  EXPECT_EQ(out, "\x10");
}

TEST(DetachMatcher, FlushReleasesAHeldPrefix) {
  DetachMatcher m("\x10\x11");
  std::string out;
  m.feed("\x10", 1, out);
  m.flush(out);
  EXPECT_EQ(out, "\x10");
  EXPECT_FALSE(m.holding());
}

TEST(DetachMatcher, EmptySequenceNeverDetaches) {
  DetachMatcher m("");
  std::string out;
  EXPECT_FALSE(m.feed("\x10\x11", 2, out));
  EXPECT_EQ(out, "\x10\x11");
}

TEST(AttachFrames, RoundTripInPieces) {
  std::string wire;
  monitor::encode_frame(monitor::Frame::stdout_data, "hello", 5, wire);
  monitor::encode_frame(monitor::Frame::exit, "3", 1, wire);
  monitor::FrameReader reader;
  monitor::Frame type;
  std::string payload;
  reader.feed(wire.data(), 3);
  EXPECT_FALSE(reader.next(type, payload));
  reader.feed(wire.data() + 3, wire.size() - 3);
  ASSERT_TRUE(reader.next(type, payload));
  EXPECT_EQ(type, monitor::Frame::stdout_data);
  EXPECT_EQ(payload, "hello");
  ASSERT_TRUE(reader.next(type, payload));
  EXPECT_EQ(type, monitor::Frame::exit);
  EXPECT_EQ(payload, "3");
  EXPECT_FALSE(reader.next(type, payload));
}

TEST(AttachFrames, WindowSize) {
  unsigned short rows = 0, cols = 0;
  EXPECT_TRUE(monitor::decode_size(monitor::encode_size(40, 120), rows, cols));
  EXPECT_EQ(rows, 40);
  EXPECT_EQ(cols, 120);
  EXPECT_FALSE(monitor::decode_size("garbage", rows, cols));
}

}  // namespace
}  // namespace engine
