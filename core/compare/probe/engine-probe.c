/* engine-probe: a small static program run on a terminal, inside a container or not, that
 * reports what that terminal really does (as crun's tests/init.c does for its tests). It needs
 * nothing from the rootfs, so `engine compare-tty` can bind it into any bundle.
 *
 *   engine-probe hello          prints "@probe hello" (the first output, for set-up cost)
 *   engine-probe flood BYTES    writes BYTES zero bytes to stdout (throughput)
 *   engine-probe keys           input non-canonical with echo on; reads until 'q' (round trip)
 *   engine-probe report [--no-console]
 *                               one "@probe NAME VALUE" line per fact, interacting with the
 *                               host through markers (protocol.h): ttyname, /dev/pts, the
 *                               tty's devpts, /dev/console, job control, resize, TIOCSTI
 *   engine-probe tiocsti        push "x" with TIOCSTI; prints "tiocsti: ok" or "tiocsti: <strerror>"
 *   engine-probe ttyname        prints "ttyname: <ttyname(0)>" or "ttyname: <strerror>"
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

static const char* err_name(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "error";
}

/* Facts go to stdout unbuffered: the host reacts to each line as it comes. */
static void fact(const char* name, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void fact(const char* name, const char* fmt, ...) {
  char value[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(value, sizeof value, fmt, ap);
  va_end(ap);
  dprintf(1, PROBE_PREFIX "%s %s\n", name, value);
}

static void marker(const char* name) { dprintf(1, PROBE_PREFIX "%s\n", name); }

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void report_ttyname(void) {
  const char* name = ttyname(0);
  if (name) fact("ttyname", "%s", name);
  else fact("ttyname", "!%s", err_name(errno));
}

/* Which devpts instance /dev/pts is, how many ptys it lists, and which instance fd 0 is on:
 * the host compares both with its own /dev/pts. */
static void report_devpts(void) {
  struct stat st;
  if (stat("/dev/pts", &st) == 0) fact("pts_dev", "%u:%u", major(st.st_dev), minor(st.st_dev));
  else fact("pts_dev", "!%s", err_name(errno));
  int count = 0;
  DIR* dir = opendir("/dev/pts");
  if (dir) {
    struct dirent* e;
    while ((e = readdir(dir)) != NULL)
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') ++count;
    closedir(dir);
  }
  fact("pts_count", "%d", count);
  if (fstat(0, &st) == 0) fact("tty_dev", "%u:%u", major(st.st_dev), minor(st.st_dev));
  else fact("tty_dev", "!%s", err_name(errno));
}

/* Writes a marker through /dev/console; the host checks that it reaches its terminal. */
static void report_console(void) {
  int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    fact("console", "!open: %s", err_name(errno));
    return;
  }
  int n = dprintf(fd, PROBE_PREFIX PROBE_CONSOLE_SEEN "\n");
  int err = errno;
  close(fd);
  if (n < 0) fact("console", "!write: %s", err_name(err));
  else fact("console", "ok");
}

/* The child: a job in a process group of its own, waiting for the ^C the host types once it
 * is in the foreground. SIGALRM ends it if no SIGINT comes. */
static void foreground_job(int go) {
  char c;
  setpgid(0, 0);
  signal(SIGINT, SIG_DFL);
  if (read(go, &c, 1) != 1) _exit(1);
  alarm(PROBE_WAIT_SECONDS);
  marker(PROBE_JOBCTL_READY);
  for (;;) pause();
}

/* Job control as a shell does it: a job made the terminal's foreground group, then ^C typed
 * on the host side must reach it as SIGINT. */
static void report_job_control(void) {
  if (tcgetsid(0) != getsid(0)) {
    fact("jobctl", "!not its session's controlling tty");
    return;
  }
  int pipefd[2];
  if (pipe(pipefd) != 0) {
    fact("jobctl", "!pipe: %s", err_name(errno));
    return;
  }
  signal(SIGTTOU, SIG_IGN); /* tcsetpgrp from the background */
  pid_t child = fork();
  if (child == 0) {
    close(pipefd[1]);
    foreground_job(pipefd[0]);
  }
  close(pipefd[0]);
  setpgid(child, child);
  if (tcsetpgrp(0, child) != 0) {
    fact("jobctl", "!tcsetpgrp: %s", err_name(errno));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(pipefd[1]);
    return;
  }
  if (write(pipefd[1], "g", 1) != 1) kill(child, SIGKILL);
  close(pipefd[1]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  tcsetpgrp(0, getpgrp());
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) fact("jobctl", "ok");
  else fact("jobctl", "!^C did not reach the job");
}

static volatile sig_atomic_t winch_seen;
static void on_winch(int sig) {
  (void)sig;
  winch_seen = 1;
}

/* Prints the size, asks the host to resize, and reports the size the terminal then has. */
static void report_resize(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, NULL);
  struct winsize before, now;
  if (ioctl(0, TIOCGWINSZ, &before) != 0) {
    fact("resize", "!TIOCGWINSZ: %s", err_name(errno));
    return;
  }
  fact("size", "%ux%u", before.ws_row, before.ws_col);
  marker(PROBE_RESIZE_READY);
  for (int waited = 0; waited < PROBE_WAIT_SECONDS * 1000; waited += 10) {
    if (ioctl(0, TIOCGWINSZ, &now) == 0 && (now.ws_row != before.ws_row || now.ws_col != before.ws_col)) {
      sleep_ms(50); /* a SIGWINCH may trail the new size */
      fact("resize", "%ux%u %s", now.ws_row, now.ws_col, winch_seen ? "winch" : "nowinch");
      return;
    }
    sleep_ms(10);
  }
  fact("resize", "!unchanged");
}

/* Pushes PROBE_STI_TEXT into the terminal's input; the host looks for it in its own. */
static void report_tiocsti(void) {
  for (const char* p = PROBE_STI_TEXT; *p; ++p) {
    if (ioctl(0, TIOCSTI, p) != 0) {
      fact("tiocsti", "!%s", err_name(errno));
      return;
    }
  }
  fact("tiocsti", "ok");
}

/* TIOCSTI last: a ^C flushes the input queue, which would drop what it pushed. */
static int report(int argc, char** argv) {
  int console = !(argc > 2 && strcmp(argv[2], "--no-console") == 0);
  report_ttyname();
  report_devpts();
  if (console) report_console();
  report_job_control();
  report_resize();
  report_tiocsti();
  marker(PROBE_DONE);
  return 0;
}

static int flood(const char* count) {
  static char zeros[1 << 16];
  long long left = atoll(count);
  while (left > 0) {
    size_t chunk = left < (long long)sizeof zeros ? (size_t)left : sizeof zeros;
    ssize_t n = write(1, zeros, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    left -= n;
  }
  return 0;
}

/* Echo comes from the terminal itself (ECHO); non-canonical input keeps the line buffer from
 * filling up, since every key is read at once. */
static int keys(void) {
  struct termios t;
  if (tcgetattr(0, &t) == 0) {
    t.c_lflag &= ~(tcflag_t)ICANON;
    t.c_lflag |= ECHO;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &t);
  }
  marker(PROBE_READY);
  char buf[256];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || memchr(buf, PROBE_KEYS_END, (size_t)n)) return 0;
  }
}

static int legacy_tiocsti(void) {
  char c = 'x';
  if (ioctl(0, TIOCSTI, &c) == 0) printf("tiocsti: ok\n");
  else printf("tiocsti: %s\n", strerror(errno));
  return 0;
}

static int legacy_ttyname(void) {
  const char* name = ttyname(0);
  printf("ttyname: %s\n", name ? name : strerror(errno));
  return 0;
}

int main(int argc, char** argv) {
  const char* cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "hello") == 0) {
    marker(PROBE_HELLO);
    return 0;
  }
  if (strcmp(cmd, "flood") == 0 && argc > 2) return flood(argv[2]);
  if (strcmp(cmd, "keys") == 0) return keys();
  if (strcmp(cmd, "report") == 0) return report(argc, argv);
  if (strcmp(cmd, "tiocsti") == 0) return legacy_tiocsti();
  if (strcmp(cmd, "ttyname") == 0) return legacy_ttyname();
  fprintf(stderr, "usage: engine-probe hello|flood BYTES|keys|report [--no-console]|tiocsti|ttyname\n");
  return 2;
}
