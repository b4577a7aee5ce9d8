/* SPDX-License-Identifier: MIT */
/* server_tls_check - the TLS settings daemons would stop at or log, found
 * before a start (tern check). See server_tls.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/mastercf.h"
#include "conf/params.h"
#include "server/server_tls.h"
#include "tls/tls.h"
#include "tls/tls_level.h"
#include "util/buf.h"
#include "util/maps.h"

struct check {
	const char *config_dir;
	server_check_report_fn *report;
	void *ctx;
	struct buf scratch;
};

/* Report one finding (error: 1, warning: 0). */
static void say(struct check *k, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct check *k, int error, const char *fmt, ...)
{
	struct buf text;
	va_list ap;

	buf_init(&text, 8192);
	va_start(ap, fmt);
	(void)buf_vprintf(&text, fmt, ap);
	va_end(ap);
	k->report(k->ctx, error, buf_cstr(&text));
	buf_deinit(&text);
}

/* The value of name for service svc: its -o override, else main.cf's. */
static const char *
svc_param(const struct mastercf_service *svc, const char *name,
    const char *main_value)
{
	for (size_t i = 0; i < svc->noverrides; i++)
		if (strcmp(svc->overrides[i].name, name) == 0)
			return svc->overrides[i].value;
	return main_value;
}

/* Where the value of name for svc comes from, for messages. */
static void
svc_where(const struct check *k, const struct mastercf *cf,
    const struct mastercf_service *svc, const char *name, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < svc->noverrides; i++)
		if (strcmp(svc->overrides[i].name, name) == 0) {
			buf_printf(out, "%s:%d: %s: -o %s", cf->path, svc->line,
			    svc->name, name);
			return;
		}
	buf_printf(out, "%s/main.cf: %s", k->config_dir, name);
}

/* The TLS parameters of a network daemon, by its command name. */
struct daemon_tls {
	const char *command, *starttls;
	const char *level_param, *wrapper_param, *cert_param, *key_param;
	char **level, **cert, **key;
	int *wrapper;
};

static const struct daemon_tls daemon_tls[] = {
	{ "smtpd", "STARTTLS", VAR_SMTPD_TLS_LEVEL, VAR_SMTPD_TLS_WRAPPERMODE,
	    VAR_SMTPD_TLS_CERT_FILE, VAR_SMTPD_TLS_KEY_FILE,
	    &var_smtpd_tls_level, &var_smtpd_tls_cert_file,
	    &var_smtpd_tls_key_file, &var_smtpd_tls_wrappermode },
	{ "pop3d", "STLS", VAR_POP3D_TLS_LEVEL, VAR_POP3D_TLS_WRAPPERMODE,
	    VAR_POP3D_TLS_CERT_FILE, VAR_POP3D_TLS_KEY_FILE,
	    &var_pop3d_tls_level, &var_pop3d_tls_cert_file,
	    &var_pop3d_tls_key_file, &var_pop3d_tls_wrappermode },
	{ "imapd", "STARTTLS", VAR_IMAPD_TLS_LEVEL, VAR_IMAPD_TLS_WRAPPERMODE,
	    VAR_IMAPD_TLS_CERT_FILE, VAR_IMAPD_TLS_KEY_FILE,
	    &var_imapd_tls_level, &var_imapd_tls_cert_file,
	    &var_imapd_tls_key_file, &var_imapd_tls_wrappermode },
};

/* A network service's TLS settings: its level must be known, and when TLS
 * is on its certificates must load (a warning at may, where the daemon
 * only stops offering STARTTLS or STLS; an error where TLS is required). */
static void
check_service_tls(struct check *k, const struct mastercf *cf,
    const struct mastercf_service *svc, const struct daemon_tls *d)
{
	const char *lv = svc_param(svc, d->level_param, *d->level);
	const char *wm =
	    svc_param(svc, d->wrapper_param, *d->wrapper ? "yes" : "no");
	const char *cert = svc_param(svc, d->cert_param, *d->cert);
	const char *key, *error;
	enum tls_level level;
	struct tls_server *srv;
	struct buf err;
	int wrapper = strcasecmp(wm, "yes") == 0, required;

	/* A key that main.cf leaves in the certificate's file stays there
	 * when a service names another certificate. */
	key = strcmp(*d->key, *d->cert) == 0 ? cert : *d->key;
	key = svc_param(svc, d->key_param, key);
	if (tls_server_level_parse(lv, &level, &error) < 0) {
		buf_init(&err, 1024);
		svc_where(k, cf, svc, d->level_param, &err);
		say(k, 1, "%s = %s: %s", buf_cstr(&err), lv, error);
		buf_deinit(&err);
		return;
	}
	if (level == TLS_LEVEL_NONE && !wrapper)
		return;
	required = wrapper || level == TLS_LEVEL_ENCRYPT;
	buf_init(&err, 1024);
	if (*cert == '\0')
		buf_printf(&err, "%s is empty", d->cert_param);
	else if ((srv = tls_server_create(cert, key, &err)) != NULL) {
		tls_server_destroy(&srv);
		buf_reset(&err);
	}
	if (buf_len(&err) > 0 && required)
		say(k, 1, "%s:%d: %s: TLS is required but %s", cf->path,
		    svc->line, svc->name, buf_cstr(&err));
	else if (buf_len(&err) > 0)
		say(k, 0, "%s:%d: %s: %s is not offered: %s", cf->path,
		    svc->line, svc->name, d->starttls, buf_cstr(&err));
	buf_deinit(&err);
}

static int
check_policy_entry(void *ctx, const char *table, const char *key,
    const char *value)
{
	struct check *k = ctx;
	enum tls_level level;
	const char *error;

	/* smtp defers (4.3.5) the mail of such a destination: a warning. */
	if (tls_policy_parse(value, &level, &k->scratch, &error) < 0)
		say(k, 0,
		    "%s: %s: %s: \"%s\": %s (its mail waits in the queue)",
		    VAR_SMTP_TLS_POLICY_MAPS, table,
		    key != NULL ? key : "(every key)", value, error);
	return 0;
}

static int
check_sni_entry(void *ctx, const char *table, const char *key,
    const char *value)
{
	struct check *k = ctx;
	struct tls_server *srv;

	/* smtpd shows such a name the default certificate: a warning. */
	if ((srv = tls_server_create(value, "", &k->scratch)) == NULL)
		say(k, 0,
		    "%s: %s: %s: %s (its clients get the default "
		    "certificate)",
		    VAR_TLS_SERVER_SNI_MAPS, table,
		    key != NULL ? key : "(every key)", buf_cstr(&k->scratch));
	tls_server_destroy(&srv);
	return 0;
}

/* Every entry of the tables in list through fn. */
static void
check_tables(struct check *k, const char *param, const char *list,
    maps_walk_cb *fn)
{
	struct maps *m;
	const char *error;

	if (*list == '\0')
		return;
	if (maps_open(list, var_db_type, &m, &error) < 0) {
		say(k, 1, "%s: %s", param, error);
		return;
	}
	if (maps_walk(m, fn, k, &error) < 0)
		say(k, 1, "%s: %s", param, error);
	maps_close(&m);
}

void
server_tls_check(const struct mastercf *cf, const char *config_dir,
    server_check_report_fn *report, void *ctx)
{
	struct check check = { config_dir, report, ctx, { 0 } }, *k = &check;
	struct tls_client *client;
	enum tls_level level;
	struct buf err;

	buf_init(&k->scratch, 1024);
	for (size_t i = 0; cf != NULL && i < cf->nsvc; i++) {
		const char *cmd = cf->svc[i].command;
		const char *base = strrchr(cmd, '/');

		for (size_t d = 0;
		     d < sizeof(daemon_tls) / sizeof(daemon_tls[0]); d++)
			if (strcmp(base != NULL ? base + 1 : cmd,
				daemon_tls[d].command) == 0)
				check_service_tls(k, cf, &cf->svc[i],
				    &daemon_tls[d]);
	}
	check_tables(k, VAR_TLS_SERVER_SNI_MAPS, var_tls_server_sni_maps,
	    check_sni_entry);
	if (tls_level_parse(var_smtp_tls_level, strlen(var_smtp_tls_level),
		&level) < 0)
		say(k, 1,
		    "%s/main.cf: %s = %s: unknown security level (none, "
		    "may, encrypt, verify or secure)",
		    config_dir, VAR_SMTP_TLS_LEVEL, var_smtp_tls_level);
	check_tables(k, VAR_SMTP_TLS_POLICY_MAPS, var_smtp_tls_policy_maps,
	    check_policy_entry);
	if (*var_smtp_tls_cafile != '\0') {
		buf_init(&err, 1024);
		/* Without it smtp has no TLS: mail that needs TLS waits. */
		if ((client = tls_client_create(var_smtp_tls_cafile, &err)) ==
		    NULL)
			say(k, 0, "%s: %s (smtp then has no TLS)",
			    VAR_SMTP_TLS_CAFILE, buf_cstr(&err));
		tls_client_destroy(&client);
		buf_deinit(&err);
	}
	buf_deinit(&k->scratch);
}
