/* rss_probe: runs a program and writes its peak RSS in KiB (wait4's ru_maxrss) to fd 3.
 * A process inherits the high-water mark of the memory it was forked from (exec records the
 * old mm's peak), so the parent must be small: this is static and allocates nothing.
 *   rss_probe PROGRAM [ARGS...] 3>FILE */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    close(3);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  while (wait4(pid, &status, 0, &ru) < 0) {
  }
  dprintf(3, "%ld\n", ru.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
