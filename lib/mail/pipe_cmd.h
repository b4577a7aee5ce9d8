/* pipe_cmd - run a delivery command ("|command" in aliases or .forward)
 * with the message on its standard input.
 * The command is shell text written by an administrator or the user; it
 * runs as "/bin/sh -c command", as the CURRENT identity (the caller has
 * switched to the user already), with exactly the environment the caller
 * built and nothing inherited. No address or other peer text is ever put
 * into the command: it reaches the command only through the environment
 * (SENDER, RECIPIENT, ...), which the shell does not evaluate.
 *
 * The child: a session and process group of its own (setsid), stdin a
 * socket from us, stdout and stderr one pipe (to the collector below),
 * every other fd closed, all signals default and unblocked, umask 077,
 * cwd pc->cwd (or "/" when that fails). We call feed to write the message
 * into the socket. The socket's send timeout is the time left, so a
 * command that stops reading cannot hang feed forever: its write fails
 * (EAGAIN) and the deadline decides; SIGPIPE is ignored while pipe_cmd_run
 * runs (and set back after), so a command that exits without reading
 * everything makes the write fail with EPIPE instead of killing us; its
 * exit status then decides, as for Postfix. The output is read all along
 * by a collector, a helper process forked (not exec'd) from us, so a
 * command never blocks on its output, even one that copies a large
 * message to it while feed runs; the collector passes the first
 * output_max bytes on to us through a pipe sized to hold them (where the
 * system's pipe-max-size allows; past it, the collector may wait for us
 * while feed runs) and drops the rest. We wait for the command, all
 * within one deadline of pc->timeout seconds from the start; past it the
 * process group gets SIGTERM and, PIPE_CMD_KILL_GRACE seconds later,
 * SIGKILL (children it left behind in its group included). Output still
 * in the pipe when the command has exited is collected for at most a
 * second (a process it left behind may hold the pipe open).
 *
 * Results (res->dsn, temporary or not), exit statuses as Postfix's
 * sys_exits table has them:
 *   0 -> 2.0.0 delivered;
 *   EX_TEMPFAIL (75) 4.3.0 and EX_OSERR (71) 4.3.0: temporary;
 *   EX_USAGE 5.3.0, EX_DATAERR 5.6.0, EX_NOINPUT 5.3.0, EX_NOUSER 5.1.1,
 *   EX_NOHOST 5.1.2, EX_UNAVAILABLE 5.3.0, EX_SOFTWARE 5.3.0, EX_OSFILE
 *   5.3.0, EX_CANTCREAT 5.2.0, EX_IOERR 5.3.0, EX_PROTOCOL 5.5.0,
 *   EX_NOPERM 5.7.0, EX_CONFIG 5.3.5: permanent;
 *   any other non-zero status: permanent 5.3.0 -- this includes the
 *   shell's 127 (command not found) and 126 (not executable): the command
 *   text is wrong and a retry will not fix it;
 *   killed by a signal: temporary 4.3.0;
 *   the deadline passed: temporary 4.3.0 "Command time limit exceeded"
 *   (Postfix bounces this case; we retry, as the issue asks: a hung NFS
 *   home or a slow filter should not lose mail);
 *   our own failures (socket, pipe, fork; /bin/sh not executable, which
 *   the child reports as EX_OSERR; feed's own error, such as a queue file
 *   read error): temporary 4.3.0.
 * res->text reads "Command died with status N: <first line of output>"
 * (the sysexits text when there was no output), "Command killed by
 * signal N: ...", "Command time limit exceeded: ...", or
 * "delivered to command"; the output is cut to printable ASCII.
 *
 * Running as root is refused by a panic (the caller's bug: delivery
 * commands never run as root) unless pc->allow_root is set, which only
 * tests that run as root do. Not thread-safe; the caller must not reap
 * children from a SIGCHLD handler while this runs (SIGCHLD is set to
 * default for the duration). */
#ifndef TERN_MAIL_PIPE_CMD_H
#define TERN_MAIL_PIPE_CMD_H

#include <stddef.h>

struct buf;

/* Seconds between SIGTERM and SIGKILL on a timeout. */
#define PIPE_CMD_KILL_GRACE 2
/* Timeout when pc->timeout is 0 (Postfix's command_time_limit). */
#define PIPE_CMD_TIMEOUT 1000

/* What to run and how. */
struct pipe_cmd {
	const char *command;    /* shell text, run as /bin/sh -c command */
	const char *const *env; /* NULL-terminated "NAME=value"; the whole
				  * environment of the command (NULL: empty) */
	const char *cwd;        /* the user's home, or "/" */
	long timeout;           /* seconds for everything; 0: default */
	size_t output_max;      /* stdout+stderr bytes kept (e.g. 1024) */
	struct buf *output;     /* NULL, or receives the output kept */
	int allow_root;         /* tests only: run even with euid 0 */
};

/* The outcome. ok: delivered; else temporary (4.x.x) or permanent. */
struct pipe_result {
	int temporary;
	int ok;
	char dsn[8];
	char text[512];
};

/* Write the message into fd (blocking; each write may fail with EAGAIN at
 * the deadline or EPIPE when the command stops reading). Return 0, or -1
 * with *error_r set. */
typedef int pipe_cmd_feed_fn(void *ctx, int fd, const char **error_r);

/* Run pc->command with the message that feed(ctx, fd) writes. Always
 * fills *res. Returns 0 when delivered (res->ok), else -1. Panics if euid
 * is 0 without pc->allow_root, or if pc->command is NULL. */
int pipe_cmd_run(const struct pipe_cmd *pc, pipe_cmd_feed_fn *feed, void *ctx,
    struct pipe_result *res);

#endif
