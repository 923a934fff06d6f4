/* probe: a tiny static program copied into test rootfs, reporting facts from inside a
 * container that busybox cannot (as crun's tests/init.c does).
 *
 *   probe tiocsti      push "x" into the terminal on fd 0 with TIOCSTI; prints "tiocsti: ok"
 *                      or "tiocsti: <strerror>"
 *   probe ttyname      prints ttyname(0) or "ttyname: <strerror>"
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: probe tiocsti|ttyname\n");
    return 2;
  }
  if (strcmp(argv[1], "tiocsti") == 0) {
    char c = 'x';
    if (ioctl(0, TIOCSTI, &c) == 0) printf("tiocsti: ok\n");
    else printf("tiocsti: %s\n", strerror(errno));
    return 0;
  }
  if (strcmp(argv[1], "ttyname") == 0) {
    const char* name = ttyname(0);
    if (name) printf("ttyname: %s\n", name);
    else printf("ttyname: %s\n", strerror(errno));
    return 0;
  }
  fprintf(stderr, "probe: unknown command %s\n", argv[1]);
  return 2;
}
