#include <gtest/gtest.h>

#include "common/companion.hpp"
#include "common/digest.hpp"
#include "common/time.hpp"

namespace engine {
namespace {

TEST(InstallPrefix, FoundFromTheEngineOrItsHelpersDirectory) {
  EXPECT_EQ(install_prefix_of("/opt/engine/bin", "bin", "libexec/engine"), "/opt/engine");
  EXPECT_EQ(install_prefix_of("/opt/engine/libexec/engine", "bin", "libexec/engine"), "/opt/engine");
  EXPECT_EQ(install_prefix_of("/usr/bin", "bin", "libexec/engine"), "/usr");
}

TEST(InstallPrefix, NoneForOtherDirectories) {
  EXPECT_EQ(install_prefix_of("/work/build/core", "bin", "libexec/engine"), "");
  EXPECT_EQ(install_prefix_of("/opt/sbin", "bin", "libexec/engine"), "") << "a suffix, not a path component";
  EXPECT_EQ(install_prefix_of("/bin", "bin", "libexec/engine"), "") << "no prefix left";
  EXPECT_EQ(install_prefix_of("/opt/engine/libexec", "bin", "libexec/engine"), "");
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Time, FormatsRfc3339WithNanoseconds) {
  EXPECT_EQ(format_rfc3339_nano(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_rfc3339_nano(1475720229669794202), "2016-10-06T02:17:09.669794202Z");
}

TEST(Time, ParsesWhatItFormatsAndOffsets) {
  int64_t ns = 0;
  ASSERT_TRUE(parse_rfc3339("2016-10-06T02:17:09.669794202Z", &ns));
  EXPECT_EQ(ns, 1475720229669794202);
  ASSERT_TRUE(parse_rfc3339("2016-10-06T04:17:09+02:00", &ns));
  EXPECT_EQ(ns, 1475720229000000000);
  ASSERT_TRUE(parse_rfc3339("2016-10-06T02:17:09.5Z", &ns));
  EXPECT_EQ(ns, 1475720229500000000);
  EXPECT_FALSE(parse_rfc3339("yesterday", &ns));
}

}  // namespace
}  // namespace engine
