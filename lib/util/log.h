/* log - diagnostics in Postfix's line shapes, to stderr, syslog or a file.
 * Every line is "<syslog_name>/<program>[pid]: [severity: ]text", e.g.
 * "tern/smtpd[4711]: warning: ...". Informational lines carry no severity
 * word, exactly as Postfix writes them, so log parsers (pflogsumm, fail2ban,
 * the Prometheus exporters) read ours unchanged. A file target prefixes the
 * syslog-style "Mmm dd hh:mm:ss host " stamp and writes each line with a
 * single O_APPEND write, so lines from many processes never interleave.
 * The module is process-global and not thread-safe. log_fatal exits with
 * status 1 (a configuration or environment problem); log_panic aborts (a
 * bug). Peer text must be escaped by the caller (log_escape) before it goes
 * into a line. */
#ifndef TERN_UTIL_LOG_H
#define TERN_UTIL_LOG_H

#include <stdarg.h>
#include <stddef.h>

struct buf;

/* Set the program name ("smtpd"); logging goes to stderr until a target is
 * opened. Never fails. */
void log_init(const char *program);
/* Change the prefix before the slash (default "tern"). */
void log_set_syslog_name(const char *name);
/* Send lines to syslog with the given facility name ("mail", "local0"...).
 * Returns 0, or -1 with *error_r set for an unknown facility. */
int log_open_syslog(const char *facility, const char **error_r);
/* Append lines to path ("/dev/stderr" and "-" mean stderr). The file is
 * opened now and kept open across chroot and privilege changes.
 * Returns 0, or -1 with *error_r set (static text plus strerror). */
int log_open_file(const char *path, const char **error_r);
/* Configure from maillog_file and syslog_facility: a non-empty file wins.
 * Returns 0 or -1 as the two functions above. */
int
log_open(const char *maillog_file, const char *facility, const char **error_r);
/* Verbosity for log_debug (0 = off). */
extern int log_verbose;
/* While on (default off), every line also goes to stderr when the target
 * is a file or syslog: for a daemon's start-up, whose errors both the
 * person starting it and the log must see. */
void log_set_stderr_copy(int on);
/* Called before a fatal exit (e.g. to remove a pid file); may be NULL. */
void log_set_fatal_hook(void (*hook)(void));

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void
log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void
log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void log_debug(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a printable rendering of n bytes of peer text to out: control
 * characters, backslash and bytes >= 0x7f become \ooo octal, as Postfix's
 * printable() would keep a log line parseable. Output is cut at out's max. */
void log_escape(struct buf *out, const char *p, size_t n);
/* A static buffer holding log_escape of a C string, capped at 512 bytes;
 * valid until LOG_STR_SLOTS more calls (the buffers are a ring), so up to
 * that many may appear in one log call. Never fails. */
#define LOG_STR_SLOTS 4
const char *log_str(const char *s);

#endif
