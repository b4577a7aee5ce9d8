/* SPDX-License-Identifier: MIT */
/* mastercf - parse master.cf into a table of services. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/mastercf.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define MASTERCF_ERROR_MAX 4096
#define MASTERCF_FIELDS 8

static struct buf mcf_err;

static const char *
mcf_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *
mcf_error(const char *fmt, ...)
{
	va_list ap;

	if (mcf_err.data == NULL)
		buf_init(&mcf_err, MASTERCF_ERROR_MAX);
	buf_reset(&mcf_err);
	va_start(ap, fmt);
	if (buf_vprintf(&mcf_err, fmt, ap) < 0)
		buf_set(&mcf_err, "error message too long");
	va_end(ap);
	return buf_cstr(&mcf_err);
}

static void
service_free(struct mastercf_service *s)
{
	size_t i;

	xfree(s->name);
	xfree(s->host);
	xfree(s->port);
	xfree(s->command);
	for (i = 0; i < s->argc; i++)
		xfree(s->argv[i]);
	xfree(s->argv);
	for (i = 0; i < s->noverrides; i++) {
		xfree(s->overrides[i].name);
		xfree(s->overrides[i].value);
	}
	xfree(s->overrides);
}

void
mastercf_destroy(struct mastercf **cfp)
{
	struct mastercf *cf = *cfp;
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nsvc; i++)
		service_free(&cf->svc[i]);
	xfree(cf->svc);
	xfree(cf->path);
	xfree(cf);
	*cfp = NULL;
}

/* Parse a non-negative decimal of at most INT_MAX; the whole string. */
static int
parse_count(const char *s, long *value_r)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != 0 || v > INT_MAX)
		return -1;
	*value_r = v;
	return 0;
}

static int
parse_yn(const char *s, int def, int *value_r)
{
	if (strcmp(s, "-") == 0)
		*value_r = def;
	else if (strcmp(s, "y") == 0)
		*value_r = 1;
	else if (strcmp(s, "n") == 0)
		*value_r = 0;
	else
		return -1;
	return 0;
}

/* The mail services' names from services(5), built in so that parsing
 * never depends on /etc/services. */
static const struct {
	const char *name, *port;
} mail_ports[] = {
	{ "smtp", "25" },
	{ "submission", "587" },
	{ "submissions", "465" },
	{ "smtps", "465" },
	{ "pop3", "110" },
	{ "pop3s", "995" },
	{ "imap", "143" },
	{ "imap2", "143" },
	{ "imaps", "993" },
};

/* Split an inet service name into host (NULL for all addresses) and port.
 * Returns 0, or -1 with a static reason. */
static int
parse_inet_name(const char *name, char **host_r, char **port_r,
    const char **why)
{
	const char *colon, *port;
	size_t i;
	long v;

	if (name[0] == '[') {
		const char *close = strchr(name, ']');

		if (close == NULL || close == name + 1 || close[1] != ':') {
			*why = "bad [address]:port";
			return -1;
		}
		*host_r = xstrndup(name + 1, (size_t)(close - name - 1));
		port = close + 2;
	} else if ((colon = strrchr(name, ':')) != NULL) {
		if (memchr(name, ':', (size_t)(colon - name)) != NULL) {
			*why = "an IPv6 address needs [brackets]";
			return -1;
		}
		*host_r = colon == name
		    ? NULL
		    : xstrndup(name, (size_t)(colon - name));
		port = colon + 1;
	} else {
		*host_r = NULL;
		port = name;
	}
	for (i = 0; i < sizeof(mail_ports) / sizeof(mail_ports[0]); i++) {
		if (strcmp(port, mail_ports[i].name) == 0) {
			*port_r = xstrdup(mail_ports[i].port);
			return 0;
		}
	}
	if (parse_count(port, &v) < 0 || v < 1 || v > 65535) {
		xfree(*host_r);
		*host_r = NULL;
		*why = "bad port (must be 1-65535 or a mail service name)";
		return -1;
	}
	*port_r = xstrdup(port);
	return 0;
}

static int
valid_param_name(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return 0;
	return 1;
}

/* A unix service becomes a socket file name: no '/', not "." or "..", and
 * only printable characters. */
static int
printable_name(const char *s)
{
	const char *p;

	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (p = s; *p != 0; p++)
		if (!isgraph((unsigned char)*p) || *p == '/')
			return 0;
	return 1;
}

static void
add_override(struct mastercf_service *s, const char *nv, size_t nlen)
{
	s->overrides =
	    xrealloc(s->overrides, (s->noverrides + 1) * sizeof(*s->overrides));
	s->overrides[s->noverrides].name = xstrndup(nv, nlen);
	s->overrides[s->noverrides].value = xstrdup(nv + nlen + 1);
	s->noverrides++;
}

/* The programs that parse network input before any authentication: an
 * inet service may run them only with unpriv = y. The one list. */
static const char *const network_programs[] = {
	"smtpd",
	"pop3d",
	"imapd",
	NULL,
};

int
mastercf_parses_network_input(const char *command)
{
	const char *base = strrchr(command, '/');
	size_t i;

	base = base != NULL ? base + 1 : command;
	for (i = 0; network_programs[i] != NULL; i++)
		if (strcmp(base, network_programs[i]) == 0)
			return 1;
	return 0;
}

/* Fill s from the words of one entry. Returns 0, or -1 with the reason
 * appended to why. */
static int
parse_service(char **w, size_t nw, struct mastercf_service *s, struct buf *why)
{
	const char *reason;
	size_t i;
	long v;

	if (nw < MASTERCF_FIELDS) {
		buf_printf(why, "expected at least %d fields, found %zu",
		    MASTERCF_FIELDS, nw);
		return -1;
	}
	s->name = xstrdup(w[0]);
	if (strcmp(w[1], "inet") == 0) {
		s->type = MASTERCF_INET;
		if (parse_inet_name(w[0], &s->host, &s->port, &reason) < 0) {
			buf_printf(why, "%s", reason);
			return -1;
		}
	} else if (strcmp(w[1], "unix") == 0) {
		s->type = MASTERCF_UNIX;
		if (!printable_name(w[0])) {
			buf_printf(why, "bad unix service name");
			return -1;
		}
	} else {
		buf_printf(why, "unsupported service type \"%s\"",
		    log_str(w[1]));
		return -1;
	}
	if (parse_yn(w[2], 1, &s->private_svc) < 0) {
		buf_printf(why, "bad private value \"%s\"", log_str(w[2]));
		return -1;
	}
	if (s->type == MASTERCF_INET)
		s->private_svc = 0;
	if (parse_yn(w[3], 1, &s->unpriv) < 0) {
		buf_printf(why, "bad unpriv value \"%s\"", log_str(w[3]));
		return -1;
	}
	if (parse_yn(w[4], 0, &s->chroot) < 0) {
		buf_printf(why, "bad chroot value \"%s\"", log_str(w[4]));
		return -1;
	}
	if (strcmp(w[5], "-") == 0) {
		s->wakeup = 0;
	} else {
		size_t len = strlen(w[5]);
		char *t = xstrdup(w[5]);
		int bad;

		if (len > 1 && t[len - 1] == '?') {
			s->wakeup_conditional = 1;
			t[len - 1] = 0;
		}
		bad = parse_count(t, &s->wakeup) < 0;
		xfree(t);
		if (bad) {
			buf_printf(why, "bad wakeup value \"%s\"",
			    log_str(w[5]));
			return -1;
		}
	}
	if (strcmp(w[6], "-") == 0) {
		s->maxproc = -1;
	} else if (parse_count(w[6], &v) < 0) {
		buf_printf(why, "bad maxproc value \"%s\"", log_str(w[6]));
		return -1;
	} else {
		s->maxproc = v;
	}
	s->command = xstrdup(w[7]);
	/* DESIGN.md: nothing that parses network input before
	 * authentication runs as root. */
	if (s->type == MASTERCF_INET && !s->unpriv &&
	    mastercf_parses_network_input(s->command)) {
		buf_printf(why,
		    "%s parses network input and must not keep "
		    "privileges: set the unpriv column to \"-\" (or \"y\")",
		    log_str(s->command));
		return -1;
	}
	s->argv = xcalloc(nw - MASTERCF_FIELDS + 1, sizeof(*s->argv));
	for (i = MASTERCF_FIELDS; i < nw; i++) {
		const char *nv, *eq;

		if (strcmp(w[i], "-o") == 0) {
			if (++i == nw) {
				buf_printf(why, "-o without name=value");
				return -1;
			}
			nv = w[i];
		} else if (strncmp(w[i], "-o", 2) == 0) {
			nv = w[i] + 2;
		} else {
			s->argv[s->argc++] = xstrdup(w[i]);
			continue;
		}
		eq = strchr(nv, '=');
		if (eq == NULL || !valid_param_name(nv, (size_t)(eq - nv))) {
			buf_printf(why,
			    "bad -o value \"%s\" (expected "
			    "name=value)",
			    log_str(nv));
			return -1;
		}
		add_override(s, nv, (size_t)(eq - nv));
	}
	return 0;
}

/* Split a logical line into words (pointers into a private copy). */
static char **
split_words(char *line, size_t *n_r)
{
	char **w = NULL;
	size_t n = 0;
	char *p = line;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == 0)
			break;
		w = xrealloc(w, (n + 1) * sizeof(*w));
		w[n++] = p;
		while (*p != 0 && !isspace((unsigned char)*p))
			p++;
		if (*p != 0)
			*p++ = 0;
	}
	*n_r = n;
	return w;
}

/* Parse one logical entry and append it to cf. */
static int
add_entry(struct mastercf *cf, const char *path, int line, struct buf *text,
    const char **error_r)
{
	struct mastercf_service s;
	struct buf why;
	char **w, *copy;
	size_t nw, i;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	s.line = line;
	copy = xstrdup(buf_cstr(text));
	w = split_words(copy, &nw);
	buf_init(&why, MASTERCF_ERROR_MAX / 2);
	if (parse_service(w, nw, &s, &why) < 0) {
		*error_r = mcf_error("%s:%d: %s: %s", path, line, log_str(w[0]),
		    buf_cstr(&why));
		service_free(&s);
		goto out;
	}
	for (i = 0; i < cf->nsvc; i++) {
		if (cf->svc[i].type == s.type &&
		    strcmp(cf->svc[i].name, s.name) == 0) {
			*error_r = mcf_error("%s:%d: %s: duplicate service "
					     "(first defined at line %d)",
			    path, line, log_str(s.name), cf->svc[i].line);
			service_free(&s);
			goto out;
		}
	}
	cf->svc = xrealloc(cf->svc, (cf->nsvc + 1) * sizeof(*cf->svc));
	cf->svc[cf->nsvc++] = s;
	ret = 0;
out:
	buf_deinit(&why);
	xfree(w);
	xfree(copy);
	return ret;
}

int
mastercf_parse(const char *path, const char *text, size_t len,
    struct mastercf **cf_r, const char **error_r)
{
	const char *p = text, *end = text + len;
	struct mastercf *cf = xcalloc(1, sizeof(*cf));
	struct buf logical;
	int lineno = 0, start = 0, ret = 0;

	cf->path = xstrdup(path);
	buf_init(&logical, MASTERCF_FILE_MAX);
	while (ret == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i = 0;

		lineno++;
		while (i < n && isspace((unsigned char)p[i]))
			i++;
		if (memchr(p, 0, n) != NULL) {
			*error_r =
			    mcf_error("%s:%d: NUL byte in line", path, lineno);
			ret = -1;
		} else if (i == n || p[i] == '#') {
			/* blank or comment: skipped, even inside an entry */
		} else if (i > 0) {
			if (start == 0) {
				*error_r = mcf_error(
				    "%s:%d: continuation "
				    "line without a preceding service",
				    path, lineno);
				ret = -1;
			} else if (buf_putc(&logical, ' ') < 0 ||
			    buf_append(&logical, p + i, n - i) < 0) {
				*error_r = mcf_error("%s:%d: entry too long",
				    path, start);
				ret = -1;
			}
		} else {
			if (start != 0)
				ret = add_entry(cf, path, start, &logical,
				    error_r);
			buf_reset(&logical);
			start = lineno;
			if (ret == 0 && buf_append(&logical, p, n) < 0) {
				*error_r = mcf_error("%s:%d: entry too long",
				    path, start);
				ret = -1;
			}
		}
		p += n + (nl != NULL);
	}
	if (ret == 0 && start != 0)
		ret = add_entry(cf, path, start, &logical, error_r);
	buf_deinit(&logical);
	if (ret < 0) {
		mastercf_destroy(&cf);
		return -1;
	}
	*cf_r = cf;
	return 0;
}

int
mastercf_load(const char *path, struct mastercf **cf_r, const char **error_r)
{
	struct buf text;
	char chunk[8192];
	ssize_t r;
	int fd, ret;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		*error_r =
		    mcf_error("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf_init(&text, MASTERCF_FILE_MAX);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*error_r = mcf_error("%s: cannot read: %s", path,
			    strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (buf_append(&text, chunk, (size_t)r) < 0) {
			*error_r = mcf_error("%s: file too large", path);
			r = -1;
			break;
		}
	}
	close(fd);
	ret = r < 0 ? -1
		    : mastercf_parse(path, buf_cstr(&text), buf_len(&text),
			  cf_r, error_r);
	buf_deinit(&text);
	return ret;
}
