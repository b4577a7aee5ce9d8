/* SPDX-License-Identifier: MIT */
/* ternqueue - list, show and manage queued mail (like postqueue, postcat
 * and postsuper). Installed also as mailq, which lists. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/dsn_param.h"
#include "queue/qdefer.h"
#include "queue/qfile.h"
#include "queue/trigger.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

/* The queues a listing shows, in Postfix's order. */
static const char *const list_queues[] = {
	"incoming",
	"active",
	"deferred",
	"hold",
	NULL,
};

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("ternqueue: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ternqueue [-c config_dir] [-j]\n"
	      "       ternqueue [-c config_dir] -p queue_id ...\n"
	      "       ternqueue [-c config_dir] -d|-h|-H|-r queue_id ...|ALL\n"
	      "       mailq [-c config_dir] [-j]\n",
	    stderr);
	exit(2);
}

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

static void
walk(const char *const *queues, queue_fn *fn, void *ctx)
{
	for (size_t i = 0; queues[i] != NULL; i++) {
		char dir[4096], path[4200];
		struct dirent *de;
		char **names = NULL;
		size_t n = 0;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", var_queue_dir, queues[i]);
		if ((d = opendir(dir)) == NULL) {
			if (errno != ENOENT)
				die("open %s: %s", dir, strerror(errno));
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (!qfile_is_id(de->d_name))
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

			snprintf(path, sizeof(path), "%s/%s", dir, names[j]);
			if (qfile_open(path, 0, &q, &error) < 0) {
				if (access(path, F_OK) == 0)
					fprintf(stderr,
					    "ternqueue: warning: "
					    "%s: %s\n",
					    path, error);
			} else {
				fn(queues[i], q, ctx);
				qfile_close(&q);
			}
			xfree(names[j]);
		}
		xfree(names);
	}
}

struct totals {
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
		fprintf(stderr, "ternqueue: warning: %s\n", error);
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
		printf("-Queue ID-  --Size-- ----Arrival Time---- "
		       "-Sender/Recipient-------\n");
	localtime_r(&at, &tm);
	/* asctime()'s first 20 characters, as Postfix prints them. */
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S ", &tm);
	printf("%-10s%c %8lld %-20.20s %s\n", q->id,
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
			printf("(%s)\n", why);
		last = why;
		printf("%41s%s\n", "", q->rcpt[i].addr);
	}
	printf("\n");
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

	(void)ctx;
	printf("{\"queue_name\": ");
	json_str(stdout, queue);
	printf(", \"queue_id\": ");
	json_str(stdout, q->id);
	printf(", \"arrival_time\": %lld, \"message_size\": %lld, "
	       "\"sender\": ",
	    (long long)q->arrival.tv_sec, (long long)q->content_size);
	json_str(stdout, q->sender);
	printf(", \"recipients\": [");
	for (size_t i = 0; i < q->nrcpt; i++) {
		const char *why;

		if (q->rcpt[i].done)
			continue;
		printf("%s{\"address\": ", first ? "" : ", ");
		json_str(stdout, q->rcpt[i].addr);
		if (*q->rcpt[i].orig != 0 &&
		    strcmp(q->rcpt[i].orig, q->rcpt[i].addr) != 0) {
			printf(", \"orig_address\": ");
			json_str(stdout, q->rcpt[i].orig);
		}
		if ((why = qdefer_reason(d, q->rcpt[i].addr)) != NULL) {
			printf(", \"delay_reason\": ");
			json_str(stdout, why);
		}
		printf("}");
		first = 0;
	}
	printf("]}\n");
	qdefer_free(&d);
}

/* Find a queue ID in the queues; returns the queue name or NULL. */
static const char *
find(const char *id)
{
	for (size_t i = 0; qfile_queue_names[i] != NULL; i++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s/%s", var_queue_dir,
		    qfile_queue_names[i], id);
		if (access(path, F_OK) == 0)
			return qfile_queue_names[i];
	}
	return NULL;
}

/* postcat: the envelope and the content of one queue file. */
static int
show(const char *id)
{
	struct qfile_content *c;
	struct qfile *q;
	const char *queue, *error, *p;
	char path[4200], when[64];
	time_t at;
	size_t n;
	int ret;

	if (!qfile_is_id(id) || (queue = find(id)) == NULL) {
		fprintf(stderr, "ternqueue: %s: no such queue file\n", id);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s", var_queue_dir, queue, id);
	if (qfile_open(path, 0, &q, &error) < 0) {
		fprintf(stderr, "ternqueue: %s\n", error);
		return 1;
	}
	at = q->arrival.tv_sec;
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime(&at));
	printf("*** ENVELOPE RECORDS %s/%s ***\n", queue, id);
	printf("message_size: %lld\n", (long long)q->content_size);
	printf("message_arrival_time: %s\n", when);
	printf("sender: %s\n", q->sender);
	for (size_t i = 0; i < q->nattr; i++)
		printf("named_attribute: %s=%s\n", q->attrs[i].name,
		    q->attrs[i].value);
	if (q->warned)
		printf("delay_warning_sent: yes\n");
	for (size_t i = 0; i < q->nrcpt; i++) {
		struct buf flags;

		if (*q->rcpt[i].orig != 0 &&
		    strcmp(q->rcpt[i].orig, q->rcpt[i].addr) != 0)
			printf("original_recipient: %s\n", q->rcpt[i].orig);
		if (*q->rcpt[i].orcpt != 0)
			printf("dsn_orig_rcpt: %s\n", q->rcpt[i].orcpt);
		buf_init(&flags, 64);
		if (q->rcpt[i].notify != 0 &&
		    dsn_notify_format(q->rcpt[i].notify, &flags) == 0)
			printf("dsn_notify: %s\n", flags.data);
		buf_deinit(&flags);
		printf("%s: %s\n",
		    q->rcpt[i].done ? "done_recipient" : "recipient",
		    q->rcpt[i].addr);
	}
	printf("*** MESSAGE CONTENTS %s/%s ***\n", queue, id);
	if (qfile_content_open(q->fd, &c, &error) < 0) {
		fprintf(stderr, "ternqueue: %s: %s\n", id, error);
		qfile_close(&q);
		return 1;
	}
	while ((ret = qfile_content_read(c, &p, &n, &error)) > 0)
		fwrite(p, 1, n, stdout);
	if (ret < 0)
		fprintf(stderr, "ternqueue: %s: %s\n", id, error);
	printf("*** MESSAGE FILE END %s/%s ***\n", queue, id);
	qfile_content_close(&c);
	qfile_close(&q);
	return ret < 0;
}

/* Remove the deferral reasons of id (qdefer.h); a failure only warns. */
static void
forget_reasons(const char *id)
{
	const char *error;

	if (qdefer_remove(var_queue_dir, id, &error) < 0)
		fprintf(stderr, "ternqueue: warning: %s\n", error);
}

/* -d, -h, -H, -r on one queue file. Returns 0, or 1 when it failed. */
static int
manage(int op, const char *queue, const char *id)
{
	char path[4200];
	const char *to, *error, *what;

	if (strcmp(queue, "active") == 0) {
		/* qmgr holds it now; moving it under its feet would lose
		 * track of a delivery in progress. */
		fprintf(stderr,
		    "ternqueue: %s: being delivered; try again "
		    "when it leaves the active queue\n",
		    id);
		return 1;
	}
	switch (op) {
	case 'd':
		snprintf(path, sizeof(path), "%s/%s/%s", var_queue_dir, queue,
		    id);
		if (unlink(path) < 0) {
			fprintf(stderr, "ternqueue: %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
		log_info("%s: removed", id);
		forget_reasons(id);
		return 0;
	case 'h':
		to = "hold";
		what = "placed on hold";
		break;
	case 'H':
		if (strcmp(queue, "hold") != 0)
			return 0;
		to = "deferred";
		what = "released from hold";
		break;
	default:
		to = "incoming";
		what = "requeued";
		break;
	}
	if (strcmp(queue, to) == 0)
		return 0;
	if (qfile_move(var_queue_dir, id, queue, to, &error) < 0) {
		fprintf(stderr, "ternqueue: %s\n", error);
		return 1;
	}
	log_info("%s: %s", id, what);
	/* A requeued message starts afresh, as after postsuper -r; one on
	 * hold keeps its reasons for the listing. */
	if (op == 'r')
		forget_reasons(id);
	return 0;
}

static const char *const manage_queues[] = {
	"incoming",
	"deferred",
	"hold",
	"corrupt",
	NULL,
};

int
main(int argc, char **argv)
{
	const char *config_dir = NULL, *error, *base;
	int c, json = 0, op = 0, failed = 0, count = 0;

	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	log_init("ternqueue");
	while ((c = getopt(argc, argv, "c:jpdhHr")) != -1) {
		switch (c) {
		case 'c':
			config_dir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'p':
		case 'd':
		case 'h':
		case 'H':
		case 'r':
			if (op != 0 || strcmp(base, "mailq") == 0)
				usage();
			op = c;
			break;
		default:
			usage();
		}
	}
	if ((op == 0) != (optind == argc) || (json && op != 0))
		usage();
	if (config_load(config_dir, &error) < 0)
		die("%s", error);
	/* What changes the queue is logged, as postsuper does. */
	if (op != 0 && op != 'p' &&
	    log_open(var_maillog_file, var_syslog_facility, &error) < 0)
		fprintf(stderr, "ternqueue: warning: %s\n", error);
	if (op == 0) {
		struct totals t = { 0, 0 };

		walk(list_queues, json ? json_one : list_one, &t);
		if (!json && t.count == 0)
			printf("Mail queue is empty\n");
		else if (!json)
			printf("-- %lld Kbytes in %ld Request%s.\n",
			    (t.bytes + 1023) / 1024, t.count,
			    t.count == 1 ? "" : "s");
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (op == 'p') {
		for (; optind < argc; optind++)
			failed |= show(argv[optind]);
		return failed;
	}
	for (; optind < argc; optind++) {
		const char *id = argv[optind];

		if (strcmp(id, "ALL") == 0) {
			for (size_t i = 0; manage_queues[i] != NULL; i++) {
				char dir[4096];
				struct dirent *de;
				DIR *d;

				if (op == 'r' &&
				    strcmp(manage_queues[i], "corrupt") == 0)
					continue;
				snprintf(dir, sizeof(dir), "%s/%s",
				    var_queue_dir, manage_queues[i]);
				if ((d = opendir(dir)) == NULL)
					continue;
				while ((de = readdir(d)) != NULL)
					if (qfile_is_id(de->d_name)) {
						failed |=
						    manage(op, manage_queues[i],
							de->d_name);
						count++;
					}
				closedir(d);
			}
		} else {
			const char *queue;

			if (!qfile_is_id(id) || (queue = find(id)) == NULL) {
				fprintf(stderr,
				    "ternqueue: %s: no such "
				    "queue file\n",
				    id);
				failed = 1;
				continue;
			}
			failed |= manage(op, queue, id);
			count++;
		}
	}
	if (op == 'r') {
		char path[4200];

		snprintf(path, sizeof(path), "%s/public/qmgr", var_queue_dir);
		if (count > 0 &&
		    trigger_send(path, TRIGGER_REQ_WAKEUP, &error) < 0)
			fprintf(stderr,
			    "ternqueue: warning: cannot wake the "
			    "queue manager (%s): %s; it finds the mail at its "
			    "next scan\n",
			    path, error);
	}
	return failed;
}
