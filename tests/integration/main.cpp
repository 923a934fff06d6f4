#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (::geteuid() != 0) {
    std::cerr << "integration tests run real containers and need root\n";
    return 1;
  }
  return RUN_ALL_TESTS();
}
