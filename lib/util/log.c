/* SPDX-License-Identifier: MIT */
/* log - diagnostics in Postfix's line shapes, to stderr, syslog or a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
	LOG_TARGET_FILE,
};

static char log_program[64] = "tern";
static char log_syslog_name[64] = "tern";
static char log_ident[160] = "tern/tern";
static enum log_target log_target = LOG_TARGET_STDERR;
static int log_fd = -1;
static void (*log_fatal_hook)(void);
static int log_dying;
static int log_stderr_copy;
int log_verbose;

static void
log_make_ident(void)
{
	snprintf(log_ident, sizeof(log_ident), "%s/%s", log_syslog_name,
	    log_program);
}

void
log_init(const char *program)
{
	const char *slash = strrchr(program, '/');

	snprintf(log_program, sizeof(log_program), "%s",
	    slash ? slash + 1 : program);
	log_make_ident();
}

void
log_set_syslog_name(const char *name)
{
	snprintf(log_syslog_name, sizeof(log_syslog_name), "%s", name);
	log_make_ident();
	if (log_target == LOG_TARGET_SYSLOG) {
		closelog();
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	}
}

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON },
	{ "user", LOG_USER },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

int
log_open_syslog(const char *facility, const char **error_r)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(facility, facilities[i].name) == 0) {
			openlog(log_ident, LOG_PID | LOG_NDELAY,
			    facilities[i].value);
			log_target = LOG_TARGET_SYSLOG;
			return 0;
		}
	}
	*error_r = "unknown syslog facility";
	return -1;
}

int
log_open_file(const char *path, const char **error_r)
{
	int fd;

	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stderr") == 0) {
		log_target = LOG_TARGET_STDERR;
		return 0;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd < 0) {
		*error_r = strerror(errno);
		return -1;
	}
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_target = LOG_TARGET_FILE;
	return 0;
}

int
log_open(const char *maillog_file, const char *facility, const char **error_r)
{
	/* The time zone, read now and once: a process forked later stamps
	 * its lines without reading the zone file again (a few ms each on
	 * a cold disk), and one in a chroot, where the file is not, still
	 * gives local time (Postfix does the same before its chroot). */
	tzset();
	if (maillog_file != NULL && *maillog_file != 0)
		return log_open_file(maillog_file, error_r);
	return log_open_syslog(facility ? facility : "mail", error_r);
}

void
log_set_stderr_copy(int on)
{
	log_stderr_copy = on;
}

void
log_set_fatal_hook(void (*hook)(void))
{
	log_fatal_hook = hook;
}

static void
log_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void log_emit(int prio, const char *severity, const char *fmt,
    va_list ap) __attribute__((format(printf, 3, 0)));

static void
log_emit(int prio, const char *severity, const char *fmt, va_list ap)
{
	char text[4096], line[4600];
	int saved = errno;
	int n = 0;

	errno = saved;
	vsnprintf(text, sizeof(text), fmt, ap);
	switch (log_target) {
	case LOG_TARGET_SYSLOG:
		if (severity)
			syslog(prio, "%s: %s", severity, text);
		else
			syslog(prio, "%s", text);
		break;
	case LOG_TARGET_FILE: {
		static char host[256];
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);

		/* The short host name, looked up once per process. */
		if (host[0] == 0) {
			if (gethostname(host, sizeof(host)) < 0)
				snprintf(host, sizeof(host), "localhost");
			host[sizeof(host) - 1] = 0;
			host[strcspn(host, ".")] = 0;
		}
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s%s%s\n",
		    stamp, host, log_ident, (long)getpid(),
		    severity ? severity : "", severity ? ": " : "", text);
		break;
	}
	case LOG_TARGET_STDERR:
		n = snprintf(line, sizeof(line), "%s[%ld]: %s%s%s\n", log_ident,
		    (long)getpid(), severity ? severity : "",
		    severity ? ": " : "", text);
		break;
	}
	if (n > 0) {
		if ((size_t)n >= sizeof(line)) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		log_write_all(log_target == LOG_TARGET_FILE ? log_fd : 2, line,
		    (size_t)n);
	}
	if (log_stderr_copy && log_target != LOG_TARGET_STDERR) {
		n = snprintf(line, sizeof(line), "%s[%ld]: %s%s%s\n", log_ident,
		    (long)getpid(), severity ? severity : "",
		    severity ? ": " : "", text);
		if (n > 0) {
			if ((size_t)n >= sizeof(line)) {
				n = sizeof(line) - 1;
				line[n - 1] = '\n';
			}
			log_write_all(2, line, (size_t)n);
		}
	}
	errno = saved;
}

#define LOG_BODY(prio, sev)                   \
	do {                                  \
		va_list ap;                   \
		va_start(ap, fmt);            \
		log_emit(prio, sev, fmt, ap); \
		va_end(ap);                   \
	} while (0)

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, "warning");
}

void
log_error(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, "error");
}

void
log_debug(int level, const char *fmt, ...)
{
	if (log_verbose < level)
		return;
	LOG_BODY(LOG_DEBUG, NULL);
}

void
log_fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, "fatal");
	if (!log_dying && log_fatal_hook != NULL) {
		log_dying = 1;
		log_fatal_hook();
	}
	exit(1);
}

void
log_panic(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, "panic");
	abort();
}

void
log_escape(struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		int ret;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			ret = buf_printf(out, "\\%03o", c);
		else
			ret = buf_putc(out, c);
		if (ret < 0)
			return;
	}
}

const char *
log_str(const char *s)
{
	/* A ring, so that one log call can escape several strings: with a
	 * single buffer, "from=<%s> helo=<%s>" printed one of them twice. */
	static struct buf ring[LOG_STR_SLOTS];
	static size_t next;
	struct buf *b = &ring[next];

	next = (next + 1) % LOG_STR_SLOTS;
	if (b->data == NULL)
		buf_init(b, 512);
	buf_reset(b);
	log_escape(b, s, strlen(s));
	return buf_cstr(b);
}
