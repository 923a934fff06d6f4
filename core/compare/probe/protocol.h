/* What engine-probe and compare-tty say to each other through the terminal, shared by the C
 * probe and the C++ side so neither spells a marker differently.
 *
 * Every fact is one line "@probe NAME VALUE"; a VALUE starting with '!' is a failure with
 * its reason ("!EPERM", "!tcsetpgrp: ENOTTY"). Lines without the prefix are terminal noise
 * (echoes) and are ignored. */
#ifndef ENGINE_COMPARE_PROBE_PROTOCOL_H
#define ENGINE_COMPARE_PROBE_PROTOCOL_H

#define PROBE_PREFIX "@probe "

/* Markers the probe prints and waits behind, so the host acts at the right moment. */
#define PROBE_HELLO "hello"           /* `hello`: the program's first output */
#define PROBE_READY "ready"           /* `keys`: input is non-canonical, echo on */
#define PROBE_JOBCTL_READY "jobctl_ready" /* report: a job is in the foreground; send ^C */
#define PROBE_RESIZE_READY "resize_ready" /* report: size printed; resize the terminal now */
#define PROBE_CONSOLE_SEEN "console_seen" /* report: written to /dev/console */
#define PROBE_DONE "done"             /* report: every fact printed */

/* `keys` ends when it reads this byte. */
#define PROBE_KEYS_END 'q'
/* What `report` pushes with TIOCSTI; the host looks for it in the caller's own input. */
#define PROBE_STI_TEXT "#engine-sti\n"

/* Seconds the probe waits for the host's ^C and resize before it reports "no". */
#define PROBE_WAIT_SECONDS 5

#endif
