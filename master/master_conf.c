/* SPDX-License-Identifier: MIT */
/* master_conf - turn main.cf and master.cf into struct service entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"
#include "conf/mastercf.h"
#include "conf/params.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "master.h"

static void
argv_push(char ***argv, size_t *n, const char *s)
{
	*argv = xrealloc(*argv, (*n + 2) * sizeof(char *));
	(*argv)[(*n)++] = xstrdup(s);
	(*argv)[*n] = NULL;
}

static struct service *
service_from_cf(const struct mastercf_service *ms)
{
	struct service *svc = xmalloc(sizeof(*svc));
	struct buf b;
	size_t n = 0, i;

	svc->name = xstrdup(ms->name);
	svc->type = ms->type;
	buf_init(&b, 4096);
	if (ms->type == MASTERCF_INET) {
		if (ms->host != NULL)
			buf_printf(&b, "%s:%s", ms->host, ms->port);
		else
			buf_printf(&b, ":%s", ms->port);
	} else {
		buf_printf(&b, "%s/%s/%s", var_queue_dir,
		    ms->private_svc ? "private" : "public", ms->name);
	}
	svc->path = buf_steal(&b);
	if (ms->command[0] == '/')
		buf_set(&b, ms->command);
	else
		buf_printf(&b, "%s/%s", var_daemon_dir, ms->command);
	svc->command = buf_steal(&b);
	buf_deinit(&b);
	svc->maxproc = ms->maxproc < 0 ? var_proc_limit : ms->maxproc;
	svc->wakeup = ms->wakeup;
	svc->wakeup_conditional = ms->wakeup_conditional;
	svc->listen_fd = svc->status_rd = svc->status_wr = -1;

	argv_push(&svc->argv, &n, ms->command);
	argv_push(&svc->argv, &n, "-c");
	argv_push(&svc->argv, &n, master_config_dir);
	argv_push(&svc->argv, &n, "-n");
	argv_push(&svc->argv, &n, ms->name);
	argv_push(&svc->argv, &n, "-t");
	argv_push(&svc->argv, &n, ms->type == MASTERCF_INET ? "inet" : "unix");
	if (ms->unpriv)
		argv_push(&svc->argv, &n, "-u");
	if (ms->chroot)
		argv_push(&svc->argv, &n, "-C");
	for (i = 0; i < ms->noverrides; i++) {
		struct buf o;

		buf_init(&o, BUF_MAX_INTERNAL);
		buf_printf(&o, "%s=%s", ms->overrides[i].name,
		    ms->overrides[i].value);
		argv_push(&svc->argv, &n, "-o");
		argv_push(&svc->argv, &n, buf_cstr(&o));
		buf_deinit(&o);
	}
	for (i = 0; i < ms->argc; i++)
		argv_push(&svc->argv, &n, ms->argv[i]);
	return svc;
}

void
master_free_service(struct service *svc)
{
	char **a;

	for (a = svc->argv; a && *a; a++)
		xfree(*a);
	xfree(svc->argv);
	xfree(svc->name);
	xfree(svc->path);
	xfree(svc->command);
	xfree(svc);
}

int
master_load_services(struct service **list_r, const char **error_r)
{
	static struct buf msg;
	struct mastercf *cf;
	struct service *head = NULL, **tail = &head;
	struct buf path;
	size_t i;
	int ret;

	config_reset();
	if (config_load(master_config_dir, error_r) < 0)
		return -1;
	buf_init(&path, 4096);
	buf_printf(&path, "%s/master.cf", master_config_dir);
	ret = mastercf_load(buf_cstr(&path), &cf, error_r);
	buf_deinit(&path);
	if (ret < 0)
		return -1;
	if (cf->nsvc == 0) {
		if (msg.data == NULL)
			buf_init(&msg, 4096);
		buf_reset(&msg);
		buf_printf(&msg, "%s: no services defined", cf->path);
		*error_r = buf_cstr(&msg);
		mastercf_destroy(&cf);
		return -1;
	}
	for (i = 0; i < cf->nsvc; i++) {
		*tail = service_from_cf(&cf->svc[i]);
		tail = &(*tail)->next;
	}
	mastercf_destroy(&cf);
	*list_r = head;
	return 0;
}
