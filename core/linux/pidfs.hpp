#pragma once
// A process told apart from a later one with the same pid by its pidfs inode (kernel 6.9+): the
// inode of a pidfd is unique among the processes of one boot. Checking it is a pidfd_open and an
// fstat, where the start time needs the kernel to format all of /proc/PID/stat.
#include <sys/types.h>

#include <cstdint>

namespace engine::sys {

// pid's pidfs inode, or 0 when pid is gone or pidfds are not on pidfs (before 6.9 every pidfd
// shares one anonymous inode, which identifies nothing): then use the start time instead.
uint64_t pidfs_inode(pid_t pid);

// True if pid runs (a zombie does not) and is the process whose pidfs inode is `inode`.
bool pidfs_alive(pid_t pid, uint64_t inode);

}  // namespace engine::sys
