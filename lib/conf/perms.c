/* SPDX-License-Identifier: MIT */
/* perms - the permissions manifest: parse, check, apply. See perms.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/config_impl.h"
#include "conf/perms.h"
#include "util/buf.h"
#include "util/mem.h"

/* Bounds on one entry. */
#define PERMS_FIELDS_MAX 6
#define PERMS_PATH_MAX 4096

/* One parsed, expanded entry. */
struct perms_entry {
	char *path;
	int type;    /* 'd', 'f' or 'l' */
	char *owner; /* NULL: "-" */
	char *group; /* NULL: "-" */
	long mode;   /* -1: "-" */
	int create, optional;
	int line;
};

struct perms_list {
	struct perms_entry *e;
	size_t n;
};

/* Where a finding goes, with printf-style text. */
struct perms_out {
	perms_report_fn *report;
	void *ctx;
	int errors;
};

static void say(struct perms_out *out, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct perms_out *out, int error, const char *fmt, ...)
{
	char text[8192 + 512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (error)
		out->errors++;
	out->report(out->ctx, error, text);
}

static void
list_free(struct perms_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		xfree(l->e[i].path);
		xfree(l->e[i].owner);
		xfree(l->e[i].group);
	}
	xfree(l->e);
	l->e = NULL;
	l->n = 0;
}

/* field expanded against main.cf into a new string, or NULL for "-". */
static int
expand_field(const char *field, char **out_r, const char **error_r)
{
	struct buf b;

	*out_r = NULL;
	if (strcmp(field, "-") == 0)
		return 0;
	buf_init(&b, PERMS_PATH_MAX);
	if (config_expand(field, &b, error_r) < 0) {
		buf_deinit(&b);
		return -1;
	}
	if (buf_len(&b) == 0) {
		buf_deinit(&b);
		*error_r = "expands to nothing";
		return -1;
	}
	*out_r = buf_steal(&b);
	buf_deinit(&b);
	return 0;
}

/* Parse one line (NUL-terminated, modified in place) into e. */
static int
parse_entry(char *line, struct perms_entry *e, const char **error_r)
{
	char *f[PERMS_FIELDS_MAX + 1], *p = line, *end;
	int n = 0, i;

	memset(e, 0, sizeof(*e));
	while (*p != 0) {
		p += strspn(p, " \t\r");
		if (*p == 0)
			break;
		if (n == PERMS_FIELDS_MAX) {
			*error_r = "too many fields";
			return -1;
		}
		f[n++] = p;
		p += strcspn(p, " \t\r");
		if (*p != 0)
			*p++ = 0;
	}
	if (n < 5) {
		*error_r = "expected: path type owner group mode [flags]";
		return -1;
	}
	if (strlen(f[1]) != 1 || strchr("dfl", f[1][0]) == NULL) {
		*error_r = "type must be d, f or l";
		return -1;
	}
	e->type = f[1][0];
	e->mode = -1;
	if (strcmp(f[4], "-") != 0) {
		errno = 0;
		e->mode = strtol(f[4], &end, 8);
		if (errno != 0 || *end != 0 || end == f[4] || e->mode < 0 ||
		    e->mode > 07777) {
			*error_r = "bad mode (octal, at most 07777)";
			return -1;
		}
	}
	if (e->type == 'l' &&
	    (e->mode != -1 || strcmp(f[2], "-") != 0 ||
		strcmp(f[3], "-") != 0)) {
		*error_r = "a link has owner, group and mode \"-\"";
		return -1;
	}
	for (i = 5; i < n; i++) {
		if (strcmp(f[i], "create") == 0 && e->type == 'd')
			e->create = 1;
		else if (strcmp(f[i], "optional") == 0)
			e->optional = 1;
		else {
			*error_r = "unknown flag (create: directories only, "
				   "optional)";
			return -1;
		}
	}
	if (expand_field(f[0], &e->path, error_r) < 0 ||
	    expand_field(f[2], &e->owner, error_r) < 0 ||
	    expand_field(f[3], &e->group, error_r) < 0)
		return -1;
	if (e->path == NULL || e->path[0] != '/') {
		*error_r = "path is not absolute";
		return -1;
	}
	return 0;
}

/* Read and parse the whole manifest: 0, or -1 with err set. */
static int
list_read(const char *path, struct perms_list *l, struct buf *err)
{
	struct buf text;
	const char *error;
	char *p, *nl;
	size_t cap = 0;
	int line = 0, ret = -1;
	struct perms_entry e;

	l->e = NULL;
	l->n = 0;
	buf_init(&text, PERMS_FILE_MAX);
	if (config_read_file(path, &text) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (memchr(text.data, 0, buf_len(&text)) != NULL) {
		buf_printf(err, "%s: NUL byte", path);
		goto out;
	}
	for (p = text.data; p != NULL && *p != 0; p = nl) {
		line++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = 0;
		p += strspn(p, " \t\r");
		if (*p == 0 || *p == '#')
			continue;
		if (parse_entry(p, &e, &error) < 0) {
			buf_printf(err, "%s:%d: %s", path, line, error);
			xfree(e.path);
			xfree(e.owner);
			xfree(e.group);
			goto out;
		}
		e.line = line;
		if (l->n == cap) {
			/* UNSAFE: cap stays below the number of lines of a
			 * PERMS_FILE_MAX file: no overflow. */
			cap = cap ? cap * 2 : 32;
			l->e = xrealloc(l->e, cap * sizeof(*l->e));
		}
		l->e[l->n++] = e;
	}
	ret = 0;
out:
	if (ret < 0)
		list_free(l);
	buf_deinit(&text);
	return ret;
}

/* The ids an entry wants: *uid_r (or -1: not checked) and *gid_r (or -1).
 * 0, or -1 with a message in why. */
static int
entry_ids(const struct perms_entry *e, uid_t *uid_r, gid_t *gid_r, char *why,
    size_t whysz)
{
	struct passwd *pw = NULL;
	struct group *gr;

	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (e->owner != NULL) {
		if ((pw = getpwnam(e->owner)) == NULL) {
			snprintf(why, whysz, "owner %s: no such user",
			    e->owner);
			return -1;
		}
		*uid_r = pw->pw_uid;
		*gid_r = pw->pw_gid;
	}
	if (e->group != NULL) {
		if ((gr = getgrnam(e->group)) != NULL)
			*gid_r = gr->gr_gid;
		else if ((pw = getpwnam(e->group)) != NULL)
			*gid_r = pw->pw_gid;
		else {
			snprintf(why, whysz,
			    "group %s: no such group (nor user)", e->group);
			return -1;
		}
	}
	return 0;
}

static const char *
type_name(int type)
{
	return type == 'd' ? "a directory"
	    : type == 'f'  ? "a regular file"
			   : "a symbolic link";
}

static int
type_is(const struct stat *st, int type)
{
	return type == 'd' ? S_ISDIR(st->st_mode)
	    : type == 'f'  ? S_ISREG(st->st_mode)
			   : S_ISLNK(st->st_mode);
}

/* lstat e->path: 1 when it exists and has the kind the manifest says, 0
 * when it is missing (a warning unless it may be: "create", "optional"),
 * -1 when it was reported as a problem. */
static int
entry_stat(const struct perms_entry *e, struct stat *st, struct perms_out *out,
    const char *src)
{
	if (lstat(e->path, st) < 0) {
		if (errno != ENOENT)
			say(out, 1, "%s: %s", e->path, strerror(errno));
		else if (!e->optional && !e->create)
			say(out, 0, "%s: missing (%s:%d)", e->path, src,
			    e->line);
		return errno == ENOENT ? 0 : -1;
	}
	if (S_ISLNK(st->st_mode) && e->type != 'l') {
		say(out, 1,
		    "%s: a symbolic link where %s belongs; refused "
		    "(remove it, then run tern set-permissions)",
		    e->path, type_name(e->type));
		return -1;
	}
	if (!type_is(st, e->type)) {
		say(out, 1, "%s: not %s (%s:%d)", e->path, type_name(e->type),
		    src, e->line);
		return -1;
	}
	return 1;
}

static void
check_entry(const struct perms_entry *e, int as_root, struct perms_out *out,
    const char *src)
{
	struct stat st;
	char why[512];
	uid_t uid;
	gid_t gid;

	if (entry_stat(e, &st, out, src) <= 0 || e->type == 'l')
		return;
	if (as_root) {
		if (entry_ids(e, &uid, &gid, why, sizeof(why)) < 0)
			say(out, 1, "%s: %s (%s:%d)", e->path, why, src,
			    e->line);
		else if ((uid != (uid_t)-1 && st.st_uid != uid) ||
		    (gid != (gid_t)-1 && st.st_gid != gid))
			say(out, 1,
			    "%s: owner %ld:%ld, not %s:%s (%ld:%ld); fix "
			    "with: tern set-permissions",
			    e->path, (long)st.st_uid, (long)st.st_gid,
			    e->owner != NULL ? e->owner : "-",
			    e->group != NULL ? e->group : "-", (long)uid,
			    (long)gid);
	}
	/* A mode that allows more than the manifest is an error (as root);
	 * one that only allows less is a warning. */
	if (e->mode >= 0 && (long)(st.st_mode & 07777) != e->mode)
		say(out, as_root && ((long)(st.st_mode & 07777) & ~e->mode),
		    "%s: mode %04o, not %04lo; fix with: tern set-permissions",
		    e->path, (unsigned)(st.st_mode & 07777), e->mode);
}

/* Read the manifest at path and give each entry to fn. The number of
 * errors fn reported, or -1 with err set (fn never called). */
static int
each_entry(const char *path, struct buf *err, perms_report_fn *report,
    void *ctx, int as_root,
    void (
	*fn)(const struct perms_entry *, int, struct perms_out *, const char *))
{
	struct perms_out out = { report, ctx, 0 };
	struct perms_list l;
	size_t i;

	if (list_read(path, &l, err) < 0)
		return -1;
	for (i = 0; i < l.n; i++)
		fn(&l.e[i], as_root, &out, path);
	list_free(&l);
	return out.errors;
}

int
perms_check(const char *path, int as_root, perms_report_fn *report, void *ctx,
    struct buf *err)
{
	return each_entry(path, err, report, ctx, as_root, check_entry);
}

/* Open what lstat found, without following a link, and make sure it is
 * still that object. The descriptor, or -1 (reported). */
static int
open_same(const struct perms_entry *e, const struct stat *st,
    struct perms_out *out)
{
	struct stat fst;
	int fd;

	fd = open(e->path,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
		(e->type == 'd' ? O_DIRECTORY : 0));
	if (fd < 0) {
		say(out, 1, "open %s: %s", e->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &fst) < 0 || fst.st_dev != st->st_dev ||
	    fst.st_ino != st->st_ino || !type_is(&fst, e->type)) {
		say(out, 1,
		    "%s: changed while it was being fixed; run tern "
		    "set-permissions again",
		    e->path);
		close(fd);
		return -1;
	}
	return fd;
}

/* mkdir path's missing parents, mode 0755 (the queue directory's are
 * /var/spool and the like). 0, or -1 with errno set. */
static int
make_parents(const char *path)
{
	char dir[PERMS_PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n + 1);
	for (i = 1; i < n; i++) {
		if (dir[i] != '/' || dir[i - 1] == '/')
			continue;
		dir[i] = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
		dir[i] = '/';
	}
	return 0;
}

static void
apply_entry(const struct perms_entry *e, int root, struct perms_out *out,
    const char *src)
{
	struct stat st;
	char why[512];
	uid_t uid;
	gid_t gid;
	int fd, r;

	if ((r = entry_stat(e, &st, out, src)) < 0)
		return;
	if (r == 0) {
		if (!e->create)
			return;
		if ((make_parents(e->path) < 0 || mkdir(e->path, 0700) < 0) &&
		    errno != EEXIST) {
			say(out, 1, "mkdir %s: %s", e->path, strerror(errno));
			return;
		}
		say(out, 0, "%s: created", e->path);
		if (entry_stat(e, &st, out, src) <= 0)
			return;
	}
	if (e->type == 'l')
		return;
	/* Not root: owners are left alone, as perms_check leaves them. */
	uid = (uid_t)-1;
	gid = (gid_t)-1;
	if (root && entry_ids(e, &uid, &gid, why, sizeof(why)) < 0) {
		say(out, 1, "%s: %s (%s:%d)", e->path, why, src, e->line);
		return;
	}
	if ((fd = open_same(e, &st, out)) < 0)
		return;
	if ((uid != (uid_t)-1 && st.st_uid != uid) ||
	    (gid != (gid_t)-1 && st.st_gid != gid)) {
		if (fchown(fd, uid, gid) < 0)
			say(out, 1, "chown %s: %s", e->path, strerror(errno));
		else {
			say(out, 0, "%s: owner %ld:%ld -> %ld:%ld", e->path,
			    (long)st.st_uid, (long)st.st_gid,
			    (long)(uid != (uid_t)-1 ? uid : st.st_uid),
			    (long)(gid != (gid_t)-1 ? gid : st.st_gid));
			/* chown may have cleared set-id bits. */
			if (fstat(fd, &st) < 0)
				st.st_mode = 0;
		}
	}
	if (e->mode >= 0 && (long)(st.st_mode & 07777) != e->mode) {
		if (fchmod(fd, (mode_t)e->mode) < 0)
			say(out, 1, "chmod %s: %s", e->path, strerror(errno));
		else
			say(out, 0, "%s: mode %04o -> %04lo", e->path,
			    (unsigned)(st.st_mode & 07777), e->mode);
	}
	close(fd);
}

int
perms_apply(const char *path, perms_report_fn *report, void *ctx,
    struct buf *err)
{
	return each_entry(path, err, report, ctx, geteuid() == 0, apply_entry);
}
