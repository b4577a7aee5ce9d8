/* SPDX-License-Identifier: MIT */
/* qlist - the mail queue as mailq shows it (qlist.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf/params.h"
#include "queue/maildrop.h"
#include "queue/qdefer.h"
#include "queue/qfile.h"
#include "queue/qlist.h"
#include "util/log.h"
#include "util/mem.h"

/* The queues a listing shows, in Postfix's order: maildrop/ first, the
 * local submissions pickup(8) has not taken yet. */
static const char *const list_queues[] = {
	"maildrop",
	"incoming",
	"active",
	"deferred",
	"hold",
	NULL,
};

/* JSON string body of s (RFC 8259 section 7): quotes, backslashes and
 * control characters escaped; other bytes as they are. */
static void
json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

/* Call fn for each queue file of the named queues (sorted within each
 * queue); files that vanish or do not parse are skipped with a warning
 * unless they vanished (a delivery finished meanwhile). */
typedef void queue_fn(const char *queue, struct qfile *q, void *ctx);

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A maildrop/ file (maildrop.h, not a queue file) shown as a queue file:
 * its name for an ID, its mtime for the arrival, its sender, recipients
 * and size. Files that do not parse are skipped with a warning, unless
 * they vanished (pickup took them meanwhile); temp names never come here. */
static void
list_maildrop(const char *dir, const char *name, queue_fn *fn, void *ctx)
{
	struct maildrop_limits limits = { MAILDROP_MAX_RCPT, 0 };
	struct maildrop *md = NULL;
	struct qfile q;
	struct stat st;
	const char *error;
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			log_warn("open %s: %m", path);
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warn("%s: not a regular file", path);
		close(fd);
		return;
	}
	if (maildrop_open(fd, &limits, &md, &error) < 0) {
		if (access(path, F_OK) == 0)
			log_warn("%s: %s", path, error);
		close(fd);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.id = name;
	q.arrival.tv_sec = st.st_mtime;
	q.sender = md->sender;
	q.content_size = md->content_size;
	q.nrcpt = md->nrcpt;
	q.rcpt = xcalloc(md->nrcpt + 1, sizeof(*q.rcpt));
	for (size_t i = 0; i < md->nrcpt; i++) {
		q.rcpt[i].addr = md->rcpt[i];
		q.rcpt[i].orig = "";
		q.rcpt[i].orcpt = "";
	}
	q.fd = -1;
	fn("maildrop", &q, ctx);
	xfree(q.rcpt);
	maildrop_close(&md);
	close(fd);
}

static int
walk(const char *const *queues, queue_fn *fn, void *ctx, const char **error_r)
{
	static char why[4200];

	for (size_t i = 0; queues[i] != NULL; i++) {
		char dir[4096], path[4200];
		struct dirent *de;
		char **names = NULL;
		size_t n = 0;
		int drop = strcmp(queues[i], "maildrop") == 0;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", var_queue_dir, queues[i]);
		if ((d = opendir(dir)) == NULL) {
			/* maildrop/ is mail_owner's to read (mode 1730): a
			 * caller who may not gets the rest of the queue. */
			if (errno != ENOENT && !(drop && errno == EACCES)) {
				snprintf(why, sizeof(why), "open %s: %s", dir,
				    strerror(errno));
				*error_r = why;
				return -1;
			}
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (drop ? !maildrop_is_name(de->d_name)
				 : !qfile_is_id(de->d_name))
				continue;
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
		closedir(d);
		if (n > 0)
			qsort(names, n, sizeof(*names), name_cmp);
		for (size_t j = 0; j < n; j++) {
			struct qfile *q;
			const char *error;

			if (drop) {
				list_maildrop(dir, names[j], fn, ctx);
				xfree(names[j]);
				continue;
			}
			snprintf(path, sizeof(path), "%s/%s", dir, names[j]);
			if (qfile_open(path, 0, &q, &error) < 0) {
				if (access(path, F_OK) == 0)
					log_warn("%s: %s", path, error);
			} else {
				fn(queues[i], q, ctx);
				qfile_close(&q);
			}
			xfree(names[j]);
		}
		xfree(names);
	}
	return 0;
}

struct totals {
	FILE *out;
	long long bytes;
	long count;
};

/* The deferral reasons qmgr recorded for q, or NULL (none, or not
 * readable: a listing goes on without them). */
static struct qdefer *
reasons(const struct qfile *q)
{
	struct qdefer *d;
	const char *error;

	if (qdefer_read(var_queue_dir, q->id, &d, &error) < 0)
		log_warn("%s", error);
	return d;
}

/* Postfix's mailq layout: the queue ID with '*' (active) or '!' (on
 * hold), the size, the arrival time, the sender; then each recipient that
 * is still to be delivered, after the reason of its deferral in
 * parentheses when it differs from the previous recipient's. */
static void
list_one(const char *queue, struct qfile *q, void *ctx)
{
	struct totals *t = ctx;
	struct qdefer *d = reasons(q);
	const char *last = NULL;
	char when[32];
	time_t at = q->arrival.tv_sec;
	struct tm tm;

	if (t->count == 0)
		fprintf(t->out,
		    "-Queue ID-  --Size-- ----Arrival Time---- "
		    "-Sender/Recipient-------\n");
	localtime_r(&at, &tm);
	/* asctime()'s first 20 characters, as Postfix prints them. */
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S ", &tm);
	fprintf(t->out, "%-10s%c %8lld %-20.20s %s\n", q->id,
	    strcmp(queue, "active") == 0     ? '*'
		: strcmp(queue, "hold") == 0 ? '!'
					     : ' ',
	    (long long)q->content_size, when,
	    *q->sender != 0 ? q->sender : "MAILER-DAEMON");
	for (size_t i = 0; i < q->nrcpt; i++) {
		const char *why;

		if (q->rcpt[i].done)
			continue;
		why = qdefer_reason(d, q->rcpt[i].addr);
		if (why != NULL && (last == NULL || strcmp(why, last) != 0))
			fprintf(t->out, "(%s)\n", why);
		last = why;
		fprintf(t->out, "%41s%s\n", "", q->rcpt[i].addr);
	}
	fprintf(t->out, "\n");
	qdefer_free(&d);
	t->bytes += (long long)q->content_size;
	t->count++;
}

/* postqueue -j: one JSON object a line. */
static void
json_one(const char *queue, struct qfile *q, void *ctx)
{
	struct qdefer *d = reasons(q);
	int first = 1;
	FILE *out = ((struct totals *)ctx)->out;

	fprintf(out, "{\"queue_name\": ");
	json_str(out, queue);
	fprintf(out, ", \"queue_id\": ");
	json_str(out, q->id);
	fprintf(out,
	    ", \"arrival_time\": %lld, \"message_size\": %lld, "
	    "\"sender\": ",
	    (long long)q->arrival.tv_sec, (long long)q->content_size);
	json_str(out, q->sender);
	fprintf(out, ", \"recipients\": [");
	for (size_t i = 0; i < q->nrcpt; i++) {
		const char *why;

		if (q->rcpt[i].done)
			continue;
		fprintf(out, "%s{\"address\": ", first ? "" : ", ");
		json_str(out, q->rcpt[i].addr);
		if (*q->rcpt[i].orig != 0 &&
		    strcmp(q->rcpt[i].orig, q->rcpt[i].addr) != 0) {
			fprintf(out, ", \"orig_address\": ");
			json_str(out, q->rcpt[i].orig);
		}
		if ((why = qdefer_reason(d, q->rcpt[i].addr)) != NULL) {
			fprintf(out, ", \"delay_reason\": ");
			json_str(out, why);
		}
		fprintf(out, "}");
		first = 0;
	}
	fprintf(out, "]}\n");
	qdefer_free(&d);
}

int
qlist_print(FILE *out, int json, const char **error_r)
{
	struct totals t = { out, 0, 0 };

	if (walk(list_queues, json ? json_one : list_one, &t, error_r) < 0)
		return -1;
	if (!json && t.count == 0)
		fprintf(out, "Mail queue is empty\n");
	else if (!json)
		fprintf(out, "-- %lld Kbytes in %ld Request%s.\n",
		    (t.bytes + 1023) / 1024, t.count, t.count == 1 ? "" : "s");
	return 0;
}
