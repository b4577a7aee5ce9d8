/* SPDX-License-Identifier: MIT */
/* pickup_scan - each file in maildrop/ into a queue file. See pickup.h. */
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/addr.h"
#include "mail/dsn_param.h"
#include "mail/msg_header.h"
#include "mail/resolve.h"
#include "queue/maildrop.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "util/buf.h"
#include "util/htable.h"
#include "util/log.h"
#include "util/mem.h"

#include "pickup.h"

/* A temp file this old was left by a submission that died. */
#define STALE_TEMP_SECONDS (24 * 3600)
/* Files taken per scan, so that one trigger never runs for long; the
 * next trigger (or pickup's own poke) takes the rest. */
#define SCAN_MAX 1000

void
pickup_init(void)
{
	/* The first scan: what was dropped while pickup was down. */
	pickup_scan();
}

void
pickup_trigger(const char *req, size_t len)
{
	(void)req;
	(void)len;
	pickup_scan();
}

/* A malformed file goes to corrupt/ under its own name. */
static void
set_aside(int dirfd, const char *name, const char *why)
{
	char to[NAME_MAX + 16];

	snprintf(to, sizeof(to), "../corrupt/%s", name);
	if (renameat(dirfd, name, dirfd, to) < 0) {
		log_warn("maildrop/%s: %s; cannot move to corrupt/: %m; "
			 "removed",
		    name, why);
		unlinkat(dirfd, name, 0);
		return;
	}
	log_warn("maildrop/%s: %s; moved to corrupt/", name, why);
}

/* An address as given, or with "@myorigin" when it has no domain. */
static void
qualify(struct buf *out, const char *addr)
{
	buf_reset(out);
	buf_puts(out, addr);
	if (*addr != 0 && strchr(addr, '@') == NULL)
		buf_printf(out, "@%s", var_myorigin);
}

/* The full name from the password entry: its GECOS field up to the first
 * comma, as Sendmail and Postfix take it. */
static void
gecos_name(const struct passwd *pw, struct buf *out)
{
	const char *g = pw != NULL && pw->pw_gecos != NULL ? pw->pw_gecos : "";
	size_t n = strcspn(g, ",");
	size_t i;

	buf_reset(out);
	for (i = 0; i < n; i++)
		if ((unsigned char)g[i] >= 32 && g[i] != 127)
			buf_putc(out, g[i]);
}

/* The sender and the recipients in canonical form (addr.h), in place;
 * -1 with *why_r for one that is no address (a malformed file: anything
 * that is not an address could be read as more than one later, in an
 * SMTP command or a header). */
static int
canonical_addrs(struct maildrop *md, struct buf *tmp, const char **why_r)
{
	const int flags = ADDR_ALLOW_LOCAL | ADDR_ALLOW_UTF8;
	const char *error;
	size_t i;

	if (addr_parse_whole(md->sender, flags | ADDR_ALLOW_NULL, tmp, &error) <
	    0) {
		*why_r = "bad sender address";
		return -1;
	}
	xfree(md->sender);
	md->sender = xstrdup(tmp->data);
	for (i = 0; i < md->nrcpt; i++) {
		if (addr_parse_whole(md->rcpt[i], flags, tmp, &error) < 0) {
			*why_r = "bad recipient address";
			return -1;
		}
		xfree(md->rcpt[i]);
		md->rcpt[i] = xstrdup(tmp->data);
	}
	return 0;
}

struct job {
	const char *name;
	uid_t uid;
	struct maildrop *md;
	struct qfile_writer *w;
	struct buf a, b; /* scratch */
};

/* The envelope. The recipients are expanded through virtual_alias_maps
 * (each final address once). Returns 0, or -1 with *error_r when a table
 * failed (try again later). */
static int
envelope(struct job *j, struct timeval now, const char **error_r)
{
	static char why[600];
	struct maildrop *md = j->md;
	struct htable *seen = htable_create();
	size_t i, k;
	int ret = 0;

	qfile_put_time(j->w, now);
	qualify(&j->a, md->sender);
	qfile_put_sender(j->w, j->a.data);
	qfile_put_attr(j->w, "protocol", "local");
	buf_reset(&j->b);
	buf_printf(&j->b, "%ld", (long)j->uid);
	qfile_put_attr(j->w, "uid", j->b.data);
	if (md->ret != 0)
		qfile_put_attr(j->w, "dsn_ret", dsn_ret_name(md->ret));
	if (md->envid != NULL)
		qfile_put_attr(j->w, "dsn_envid", md->envid);
	qfile_put_warn(j->w);
	for (i = 0; i < md->nrcpt && ret == 0; i++) {
		struct resolve_list finals = { 0 };
		struct resolve_error err;

		qualify(&j->a, md->rcpt[i]);
		if (resolve_alias(j->a.data, &finals, &err) < 0) {
			resolve_list_free(&finals);
			if (err.dsn[0] == '4') {
				snprintf(why, sizeof(why), "%s", err.text);
				*error_r = why;
				ret = -1;
				break;
			}
			/* A loop or a limit: qmgr returns the address. */
			resolve_list_add(&finals, j->a.data);
		}
		for (k = 0; k < finals.n; k++) {
			char *key = xstrdup(finals.addr[k]);
			char *c;

			for (c = key; *c != 0; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			if (htable_find(seen, key) == NULL) {
				htable_enter(seen, key, seen);
				qfile_put_rcpt_dsn(j->w, finals.addr[k],
				    j->a.data, md->notify, NULL);
			}
			xfree(key);
		}
		resolve_list_free(&finals);
	}
	htable_destroy(&seen, NULL);
	return ret;
}

/* Received:, the header with what it lacks, the rest of the content. */
static int
content(struct job *j, struct timeval now, const char **error_r)
{
	struct maildrop_content *c = NULL;
	struct pickup_header h;
	struct passwd *pw;
	struct buf head;
	char date[64];
	const char *p;
	size_t n, kept;
	int ret;

	buf_init(&head, (size_t)var_header_size_limit);
	msg_header_date(date, sizeof(date), now.tv_sec);
	buf_reset(&j->a);
	buf_printf(&j->a,
	    "Received: by %s (%s, from userid %ld)\n\tid %s; %s\n",
	    var_myhostname, var_mail_name, (long)j->uid, qfile_writer_id(j->w),
	    date);
	qfile_put_content(j->w, j->a.data, j->a.len);

	/* The header section, as far as header_size_limit. */
	ret = 1;
	kept = 0;
	while (head.len < head.max) {
		ret = maildrop_content_read(j->md, &c, &p, &n, error_r);
		if (ret <= 0)
			break;
		kept = n < head.max - head.len ? n : head.max - head.len;
		buf_append(&head, p, kept);
		if (kept < n || memmem(head.data, head.len, "\n\n", 2) != NULL)
			break;
	}
	if (ret < 0)
		goto out;
	pickup_header_scan(head.data, head.len, &h);
	qfile_put_content(j->w, head.data, h.len);
	if (!h.date) {
		buf_reset(&j->a);
		buf_printf(&j->a, "Date: %s\n", date);
		qfile_put_content(j->w, j->a.data, j->a.len);
	}
	if (!h.message_id) {
		struct tm tm;
		char stamp[32];

		gmtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		snprintf(h.message_id_value, sizeof(h.message_id_value),
		    "<%s.%s@%s>", stamp, qfile_writer_id(j->w), var_myhostname);
		buf_reset(&j->a);
		buf_printf(&j->a, "Message-ID: %s\n", h.message_id_value);
		qfile_put_content(j->w, j->a.data, j->a.len);
	}
	if (!h.from) {
		pw = getpwuid(j->uid);
		/* The envelope sender, else the owner's login name. */
		if (*j->md->sender != 0)
			qualify(&j->b, j->md->sender);
		else
			qualify(&j->b, pw != NULL ? pw->pw_name : "unknown");
		buf_reset(&j->a);
		if (j->md->fullname != NULL)
			buf_set(&j->a, j->md->fullname);
		else
			gecos_name(pw, &j->a);
		{
			struct buf field;

			buf_init(&field, 4 * MAILDROP_MAX_FIELD);
			buf_puts(&field, "From: ");
			pickup_from_field(&field, j->a.data, j->b.data);
			buf_putc(&field, '\n');
			qfile_put_content(j->w, field.data, field.len);
			buf_deinit(&field);
		}
	}
	/* RFC 5322 2.1: an empty line before the body. */
	if (!h.body_sep && h.len < head.len)
		qfile_put_content(j->w, "\n", 1);
	qfile_put_content(j->w, head.data + h.len, head.len - h.len);
	if (ret > 0 && kept < n)
		qfile_put_content(j->w, p + kept, n - kept);
	while (ret > 0 &&
	    (ret = maildrop_content_read(j->md, &c, &p, &n, error_r)) > 0)
		qfile_put_content(j->w, p, n);
	if (h.message_id_value[0] != 0)
		log_info("%s: message-id=%s", qfile_writer_id(j->w),
		    log_str(h.message_id_value));
out:
	maildrop_content_end(&c);
	buf_deinit(&head);
	return ret < 0 ? -1 : 0;
}

/* One maildrop file. Returns 1 when queued, 0 when left or set aside. */
static int
pick_one(int dirfd, const char *name)
{
	struct maildrop_limits limits = { MAILDROP_MAX_RCPT,
		var_message_size_limit };
	struct job j = { .name = name };
	struct timeval now;
	struct stat st;
	const char *error, *id;
	int fd, ret;

	fd =
	    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP) {
			set_aside(dirfd, name, "symbolic link");
			return 0;
		}
		if (errno != ENOENT)
			log_warn("maildrop/%s: open: %m", name);
		return 0;
	}
	if (fstat(fd, &st) < 0) {
		log_warn("maildrop/%s: fstat: %m", name);
		close(fd);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		set_aside(dirfd, name, "not a regular file");
		return 0;
	}
	/* Another name elsewhere: a link to a file not meant for us
	 * (submitters rename, never link). */
	if (st.st_nlink != 1) {
		close(fd);
		set_aside(dirfd, name, "more than one link");
		return 0;
	}
	j.uid = st.st_uid;
	ret = maildrop_open(fd, &limits, &j.md, &error);
	if (ret == MAILDROP_TEMPFAIL) {
		log_warn("maildrop/%s: %s", name, error);
		close(fd);
		return 0;
	}
	if (ret < 0) {
		close(fd);
		buf_init(&j.a, 512);
		buf_printf(&j.a, "uid=%ld: malformed: %s", (long)j.uid, error);
		set_aside(dirfd, name, j.a.data);
		buf_deinit(&j.a);
		return 0;
	}
	buf_init(&j.a, 4 * MAILDROP_MAX_FIELD);
	if (canonical_addrs(j.md, &j.a, &error) < 0) {
		buf_reset(&j.a);
		buf_printf(&j.a, "uid=%ld: malformed: %s", (long)j.uid, error);
		set_aside(dirfd, name, j.a.data);
		buf_deinit(&j.a);
		maildrop_close(&j.md);
		close(fd);
		return 0;
	}
	buf_deinit(&j.a);
	if (qfile_create(".", &j.w, &error) < 0) {
		log_warn("maildrop/%s: queue file create: %s", name, error);
		maildrop_close(&j.md);
		close(fd);
		return 0;
	}
	id = qfile_writer_id(j.w);
	buf_init(&j.a, 4 * MAILDROP_MAX_FIELD);
	buf_init(&j.b, 4 * MAILDROP_MAX_FIELD);
	gettimeofday(&now, NULL);
	qualify(&j.a, j.md->sender);
	/* Postfix's line: who submitted, and the sender they gave. */
	log_info("%s: uid=%ld from=<%s>", id, (long)j.uid, log_str(j.a.data));
	if (envelope(&j, now, &error) < 0) {
		/* A table is down: the file waits for the next scan. */
		log_warn("maildrop/%s: %s; tried again later", name, error);
		qfile_abort(&j.w);
		ret = -1;
	} else if ((ret = content(&j, now, &error)) < 0) {
		/* The file changed under us after the check. */
		qfile_abort(&j.w);
		buf_printf(&j.b, "content: %s", error);
		set_aside(dirfd, name, j.b.data);
	} else if (qfile_commit(j.w, &error) < 0) {
		log_warn("%s: queue file commit: %s", id, error);
		qfile_abort(&j.w);
		ret = -1;
	} else {
		/* Only now, with the queue file durable, may the maildrop
		 * file go: a crash before this is a duplicate. */
		if (unlinkat(dirfd, name, 0) < 0)
			log_warn("maildrop/%s: unlink: %m", name);
		qfile_writer_destroy(&j.w);
	}
	buf_deinit(&j.a);
	buf_deinit(&j.b);
	maildrop_close(&j.md);
	close(fd);
	return ret < 0 ? 0 : 1;
}

int
pickup_scan(void)
{
	struct dirent *de;
	const char *error;
	int dirfd, queued = 0, seen = 0;
	DIR *d;

	if ((dirfd = open("maildrop", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0) {
		log_warn("open maildrop: %m");
		return 0;
	}
	if ((d = fdopendir(dirfd)) == NULL) {
		log_warn("fdopendir maildrop: %m");
		close(dirfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL && seen < SCAN_MAX) {
		const char *name = de->d_name;
		struct stat st;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (maildrop_is_temp(name)) {
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ==
				0 &&
			    st.st_mtime + STALE_TEMP_SECONDS < time(NULL)) {
				log_info("maildrop/%s: removed a stale temp "
					 "file",
				    name);
				unlinkat(dirfd, name, 0);
			}
			continue;
		}
		seen++;
		if (!maildrop_is_name(name)) {
			set_aside(dirfd, name, "not a maildrop file name");
			continue;
		}
		queued += pick_one(dirfd, name);
	}
	closedir(d);
	if (queued > 0 &&
	    trigger_send("public/qmgr", TRIGGER_REQ_WAKEUP, &error) < 0)
		log_warn("cannot wake qmgr: %s", error);
	/* More than one scan's worth: come back at once. */
	if (seen >= SCAN_MAX &&
	    trigger_send("public/pickup", TRIGGER_REQ_WAKEUP, &error) < 0)
		log_warn("cannot wake pickup: %s", error);
	return queued;
}
