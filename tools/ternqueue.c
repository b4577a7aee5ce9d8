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
#include "queue/qlist.h"
#include "queue/trigger.h"
#include "util/buf.h"
#include "util/die.h"
#include "util/log.h"
#include "util/mem.h"
static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ternqueue [-c config_dir] [-j]\n"
	      "       ternqueue [-c config_dir] -p queue_id ...\n"
	      "       ternqueue [-c config_dir] -d|-h|-H|-r queue_id ...|ALL\n"
	      "       mailq [-c config_dir] [-j]\n",
	    stderr);
	exit(2);
}

/* Run ternpostdrop -p, which asks showq(8) for the listing. */
static void __attribute__((noreturn)) list_through_showq(int json)
{
	char path[4200];
	char *argv[] = { "ternpostdrop", "-c", var_config_dir, "-p",
		json ? "-j" : NULL, NULL };

	snprintf(path, sizeof(path), "%s/ternpostdrop", var_command_dir);
	execv(path, argv);
	die(1, "exec %s: %s", path, strerror(errno));
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
	die_init("ternqueue", NULL);
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
		die(1, "%s", error);
	/* What changes the queue is logged, as postsuper does. */
	if (op != 0 && op != 'p' &&
	    log_open(var_maillog_file, var_syslog_facility, &error) < 0)
		fprintf(stderr, "ternqueue: warning: %s\n", error);
	if (op == 0) {
		char dir[4200];

		/* A user who may not read the queue: showq(8) lists it,
		 * reached through the set-group-id ternpostdrop. */
		snprintf(dir, sizeof(dir), "%s/deferred", var_queue_dir);
		if (access(dir, R_OK | X_OK) < 0 && errno == EACCES)
			list_through_showq(json);
		if (qlist_print(stdout, json, &error) < 0)
			die(1, "%s", error);
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
