/* SPDX-License-Identifier: MIT */
/* smtp_tls_policy - the TLS policy of a next hop: smtp_tls_security_level,
 * or the destination's entry in smtp_tls_policy_maps. See smtp.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "tls/tls.h"
#include "tls/tls_level.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/maps.h"
#include "util/mem.h"

#include "smtp.h"

static struct maps *policy_maps;
static char *policy_maps_error;
static struct tls_client *client;
static int client_tried;

void
smtp_tls_policy_init(void)
{
	const char *error;

	if (maps_open(var_smtp_tls_policy_maps, var_db_type, &policy_maps,
		&error) < 0) {
		log_warn("%s: %s", VAR_SMTP_TLS_POLICY_MAPS, error);
		policy_maps_error = xstrdup(error);
		policy_maps = NULL;
	}
}

/* The client context, made once: a CA file that cannot be read leaves
 * TLS unavailable (logged; encrypt and above then defer). */
static struct tls_client *
client_ctx(void)
{
	struct buf err;

	if (client_tried)
		return client;
	client_tried = 1;
	buf_init(&err, 1024);
	client = tls_client_create(var_smtp_tls_cafile, &err);
	if (client == NULL)
		log_warn("TLS is not available: %s", buf_cstr(&err));
	buf_deinit(&err);
	return client;
}

static int config_fail(struct smtp_fail *fail, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
config_fail(struct smtp_fail *fail, const char *fmt, ...)
{
	va_list ap;

	fail->permanent = 0;
	snprintf(fail->dsn, sizeof(fail->dsn), "4.3.5");
	va_start(ap, fmt);
	vsnprintf(fail->text, sizeof(fail->text), fmt, ap);
	va_end(ap);
	return -1;
}

int
smtp_tls_policy(const char *nexthop, const struct smtp_dest *d,
    struct smtp_tls *tls, struct buf *match, struct smtp_fail *fail)
{
	const char *value = NULL, *error;
	const char *keys[2] = { nexthop, d->host };
	int found = 0;

	memset(tls, 0, sizeof(*tls));
	buf_reset(match);
	if (policy_maps_error != NULL)
		return config_fail(fail,
		    "mail system configuration error: %s: %s",
		    VAR_SMTP_TLS_POLICY_MAPS, policy_maps_error);
	for (size_t i = 0; i < 2 && policy_maps != NULL && !found; i++) {
		if (i == 1 && (d->no_mx || strcmp(keys[0], keys[1]) == 0))
			break;
		found = maps_find(policy_maps, keys[i], &value, &error);
		if (found < 0)
			return config_fail(fail, "%s lookup of %s failed: %s",
			    VAR_SMTP_TLS_POLICY_MAPS, keys[i], error);
	}
	if (found) {
		if (tls_policy_parse(value, &tls->level, match, &error) < 0)
			return config_fail(fail,
			    "mail system configuration error: %s entry for "
			    "%s: \"%s\": %s",
			    VAR_SMTP_TLS_POLICY_MAPS, nexthop, log_str(value),
			    error);
	} else if (tls_level_parse(var_smtp_tls_level,
		       strlen(var_smtp_tls_level), &tls->level) < 0) {
		return config_fail(fail,
		    "mail system configuration error: %s = %s: unknown "
		    "security level",
		    VAR_SMTP_TLS_LEVEL, log_str(var_smtp_tls_level));
	}
	if (match->len > 0)
		tls->match = buf_cstr(match);
	else if (tls->level == TLS_LEVEL_SECURE)
		tls->match = d->host;
	if (tls->level != TLS_LEVEL_NONE)
		tls->ctx = client_ctx();
	return 0;
}
