/* SPDX-License-Identifier: MIT */
/* tls_load - a server's TLS as main.cf configures it: certificates,
 * shared ticket keys, SNI certificates. See tls.h. */
#include <stdio.h>

#include "tls/tls.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/maps.h"

struct sni_walk {
	const struct tls_server_conf *c;
	struct tls_server *srv;
	struct buf *err;
};

static int
sni_entry(void *ctx, const char *table, const char *key, const char *value)
{
	struct sni_walk *w = ctx;

	if (key == NULL)
		log_warn("%s: %s: a table without keys names no server",
		    w->c->sni_param, table);
	else if (tls_server_add_sni(w->srv, key, value, w->err) < 0)
		log_warn("%s: %s: %s: %s (clients asking for it get the "
			 "default certificate)",
		    w->c->sni_param, table, log_str(key), buf_cstr(w->err));
	return 0;
}

/* Every certificate the SNI tables name, loaded now, while the key files
 * can be read (root). A table or an entry that cannot be loaded is a
 * warning: its names get the default certificate. */
static void
sni_load(const struct tls_server_conf *c, struct tls_server *srv,
    struct buf *err)
{
	struct sni_walk w = { c, srv, err };
	struct maps *m;
	const char *error;

	if (c->sni_maps == NULL || *c->sni_maps == '\0')
		return;
	if (maps_open(c->sni_maps, c->db_type, &m, &error) < 0) {
		log_warn("%s: %s", c->sni_param, error);
		return;
	}
	if (maps_walk(m, sni_entry, &w, &error) < 0)
		log_warn("%s: %s", c->sni_param, error);
	maps_close(&m);
}

struct tls_server *
tls_server_load(const struct tls_server_conf *c)
{
	struct tls_server *srv;
	struct buf err;

	if (*c->cert_files == '\0') {
		log_warn("TLS is not available: %s is empty", c->cert_param);
		return NULL;
	}
	buf_init(&err, 1024);
	if ((srv = tls_server_create(c->cert_files, c->key_files, &err)) ==
	    NULL) {
		log_warn("TLS is not available: %s", buf_cstr(&err));
		buf_deinit(&err);
		return NULL;
	}
	/* Tickets under keys that every process of the service shares, so
	 * that a client resumes with whichever process serves its next
	 * connection. Without them each process has keys of its own:
	 * resumption seldom works, nothing else changes. */
	if (c->ticket_file != NULL &&
	    tls_server_tickets(srv, c->ticket_file, c->ticket_lifetime, &err) <
		0)
		log_warn("TLS sessions resume only in the same process: %s",
		    buf_cstr(&err));
	sni_load(c, srv, &err);
	buf_deinit(&err);
	return srv;
}
