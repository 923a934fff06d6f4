/* hot_trace OUT BINARY COMMAND [ARGS...]: runs COMMAND single-stepped under ptrace, with every
 * process it forks or clones, and writes to OUT the offset (from its load base) of each
 * distinct instruction executed inside BINARY (decimal), in the order first executed. A process that
 * execs something other than BINARY is let go.
 *
 * What scripts/order-hot-code.sh turns into the linker's symbol ordering: sampling misses the
 * functions that run once, and each function missed costs a 64 KiB fault-around window of
 * resident memory, so every instruction is seen. Slow (minutes for a `run`); never on a hot
 * path. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kMaxPids = 1 << 22 };

static char binary[PATH_MAX];
static uintptr_t* bases;       /* per pid: where BINARY is mapped, 0 if it is not */
static uintptr_t image_size;   /* span of BINARY's mappings */
static uint8_t* seen;          /* per offset: executed already */
static FILE* out;

/* Where BINARY is mapped in pid, and the span of its mappings; 0 if it is not mapped. */
static uintptr_t base_of(pid_t pid) {
  char path[64], line[PATH_MAX + 128];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  uintptr_t lo = 0, hi = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b;
    char name[PATH_MAX] = "";
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %4095s", &a, &b, name) < 2) continue;
    if (strcmp(name, binary) != 0) continue;
    if (!lo) lo = a;
    hi = b;
  }
  fclose(f);
  if (lo && !image_size) {
    image_size = hi - lo;
    seen = calloc(image_size, 1);
    if (!seen) exit(2);
  }
  return lo;
}

static void record(pid_t pid) {
  struct user_regs_struct regs;
  uintptr_t base = bases[pid];
  if (!base || ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) return;
  if (regs.rip < base || regs.rip >= base + image_size) return;
  uintptr_t off = regs.rip - base;
  if (seen[off]) return;
  seen[off] = 1;
  fprintf(out, "%lu\n", (unsigned long)off);
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: hot_trace OUT BINARY COMMAND [ARGS...]\n");
    return 2;
  }
  if (!realpath(argv[2], binary)) {
    perror(argv[2]);
    return 2;
  }
  out = fopen(argv[1], "w");
  bases = calloc(kMaxPids, sizeof *bases);
  if (!out || !bases) return 2;
  pid_t first = fork();
  if (first == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int status, rc = 0, live = 1;
  waitpid(first, &status, 0);
  ptrace(PTRACE_SETOPTIONS, first, 0,
         PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC |
             PTRACE_O_EXITKILL);
  ptrace(PTRACE_SINGLESTEP, first, 0, 0);
  while (live > 0) {
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pid >= kMaxPids) return 2;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (pid == first) rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      live--;
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    int event = status >> 16, deliver = 0;
    if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK) {
      unsigned long child;
      ptrace(PTRACE_GETEVENTMSG, pid, 0, &child);
      if (child < kMaxPids) bases[child] = bases[pid];  /* same image until it execs */
      live++;
    } else if (event == PTRACE_EVENT_EXEC) {
      bases[pid] = base_of(pid);
      if (!bases[pid] && pid != first) {
        ptrace(PTRACE_DETACH, pid, 0, 0);
        live--;
        continue;
      }
    } else if (WSTOPSIG(status) == SIGTRAP) {
      record(pid);
    } else if (WSTOPSIG(status) != SIGSTOP) {
      deliver = WSTOPSIG(status);
    }
    ptrace(PTRACE_SINGLESTEP, pid, 0, deliver);
  }
  fclose(out);
  return rc;
}
