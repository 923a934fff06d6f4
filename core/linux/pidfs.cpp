#include "linux/pidfs.hpp"

#include <sys/stat.h>
#include <sys/vfs.h>

#include "common/unique_fd.hpp"
#include "linux/process.hpp"

namespace engine::sys {
namespace {

constexpr long kPidfsMagic = 0x50494446;  // PIDFS_MAGIC, not in Debian 12's headers

// A 32-bit kernel packs a generation into the inode number, so only 64 bits are trusted.
constexpr bool kInodeIsUnique = sizeof(long) == 8;

}  // namespace

uint64_t pidfs_inode(pid_t pid) {
  if (!kInodeIsUnique || pid <= 0) return 0;
  UniqueFd fd = open_pidfd(pid);
  if (!fd) return 0;
  struct statfs fs {};
  struct stat st {};
  if (::fstatfs(fd.get(), &fs) != 0 || fs.f_type != kPidfsMagic) return 0;
  if (::fstat(fd.get(), &st) != 0) return 0;
  return st.st_ino;
}

bool pidfs_alive(pid_t pid, uint64_t inode) {
  if (pid <= 0 || inode == 0) return false;
  UniqueFd fd = open_pidfd(pid);  // ESRCH once the pid is free (reaped)
  if (!fd) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_ino != inode) return false;  // the pid was reused
  return !wait_pidfd(fd.get(), 0);  // readable once it exited: a zombie is gone too
}

}  // namespace engine::sys
