/* mastercf - parse master.cf, the table of services the master runs.
 * One service per logical line, in Postfix's columns: service type private
 * unpriv chroot wakeup maxproc command [args...]. "-" selects a column's
 * default; a line that starts with white space continues the previous one;
 * blank lines and '#' comment lines are ignored. type is inet or unix.
 * private, unpriv and chroot are y or n (defaults y, y, n; an inet service
 * is never private). wakeup is seconds with an optional trailing '?' (only
 * wake a service that is in use), default 0 (never). maxproc is an integer
 * >= 0, or "-" for -1 meaning "use default_process_limit". An inet service
 * name is "port", "host:port" or "[v6addr]:port"; port is numeric or one of
 * the mail service names smtp, submission, submissions (smtps), pop3,
 * pop3s, imap and imaps (built in: /etc/services is never read) and is
 * stored numeric. A unix service name is a plain file name. Arguments "-o name=value" (or "-o"
 * "name=value") become overrides in order; other arguments are kept as they
 * are. A service name+type that appears twice is an error. The whole table
 * is owned by the struct mastercf returned and freed by mastercf_destroy().
 * Errors come back through error_r as "<path>:<line>: <service>: <why>",
 * owned by the module and valid until the next mastercf_load(). Bad file
 * content never panics. Not thread-safe. */
#ifndef TERN_MAIL_MASTERCF_H
#define TERN_MAIL_MASTERCF_H

#include <stddef.h>

/* Bound on the size of master.cf as a whole. */
#define MASTERCF_FILE_MAX ((size_t)4 * 1024 * 1024)

enum mastercf_type {
	MASTERCF_INET,
	MASTERCF_UNIX,
};

struct mastercf_override {
	char *name;
	char *value;
};

struct mastercf_service {
	char *name; /* first column, as written */
	enum mastercf_type type;
	char *host; /* inet: NULL = all addresses; unix: NULL */
	char *port; /* inet: numeric port ("25"); unix: NULL */
	int private_svc, unpriv, chroot;
	long wakeup;            /* seconds, 0 = never */
	int wakeup_conditional; /* wakeup had a trailing '?' */
	long maxproc;           /* -1 = default_process_limit */
	char *command;
	char **argv; /* extra args, without -o pairs; NULL-ended */
	size_t argc;
	struct mastercf_override *overrides;
	size_t noverrides;
	int line; /* first line of the entry */
};

struct mastercf {
	char *path;
	struct mastercf_service *svc;
	size_t nsvc;
};

/* Parse the file at path. Returns 0 with *cf_r set (free with
 * mastercf_destroy), or -1 with *error_r set and *cf_r untouched. A missing
 * file is an error. */
int
mastercf_load(const char *path, struct mastercf **cf_r, const char **error_r);

/* Parse text (len bytes) as if read from path (used in messages); the same
 * results as mastercf_load. */
int mastercf_parse(const char *path, const char *text, size_t len,
    struct mastercf **cf_r, const char **error_r);

/* 1 when command (a path or a plain name) is a program that parses
 * network input before authentication (smtpd, pop3d, imapd), else 0. The
 * parser refuses such a program on an inet service with unpriv = n:
 * "<path>:<line>: <service>: smtpd parses network input and must not
 * keep privileges: ...". Never fails. */
int mastercf_parses_network_input(const char *command);

/* Free the table and set *cfp to NULL; NULL is allowed. */
void mastercf_destroy(struct mastercf **cfp);

#endif
