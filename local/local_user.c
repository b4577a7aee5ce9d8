/* SPDX-License-Identifier: MIT */
/* local_user - delivery to a user of the system (a domain in
 * mydestination), in Postfix's order: alias_maps (aliases(5); files and
 * commands there run as default_privs; addresses are forwarded, from
 * owner-<alias> when that alias exists), else the user's ~/.forward (run
 * as the user; one that is not safe is ignored with a warning), else the
 * user's mailbox: home_mailbox under the home directory (a Maildir) or,
 * when that is empty, mail_spool_directory/<user> (an mbox file), written
 * as that user and never as root. The parts of one recipient's delivery
 * combine into one result: any temporary failure retries the recipient
 * (parts that succeeded may then be delivered twice, never lost), else
 * any permanent one bounces it.
 *
 * The user comes from the system's user database (getpwnam_r, so NSS
 * answers); a user that does not exist is a permanent failure (5.1.1),
 * a database that cannot be read a temporary one. Root is never a
 * delivery identity: mail to a user with uid 0 is returned with advice
 * to alias it (aliases(5)), as the administrator should. When local
 * itself does not run as root (a test instance or the demo, where the
 * whole suite runs as one user), only that user's mail can be delivered;
 * mail for another user waits (4.3.0) with the reason in the log. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/params.h"
#include "mail/alias.h"
#include "mail/resolve.h"
#include "proto/local_clnt.h"
#include "server/server.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#include "local.h"

int
local_user_find(const char *name, struct local_user *u, const char **error_r)
{
	static char why[300];
	struct passwd pw, *res = NULL;
	char scratch[16384];
	int err;

	memset(u, 0, sizeof(*u));
	err = getpwnam_r(name, &pw, scratch, sizeof(scratch), &res);
	if (res == NULL) {
		if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF ||
		    err == EPERM)
			return 0;
		snprintf(why, sizeof(why), "user database: %s", strerror(err));
		*error_r = why;
		return -1;
	}
	u->name = xstrdup(pw.pw_name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	u->home = xstrdup(pw.pw_dir ? pw.pw_dir : "");
	u->shell = xstrdup(pw.pw_shell ? pw.pw_shell : "");
	return 1;
}

void
local_user_free(struct local_user *u)
{
	xfree(u->name);
	xfree(u->home);
	xfree(u->shell);
	memset(u, 0, sizeof(*u));
}

int
local_home_mailbox(const struct local_user *u, struct buf *path_r,
    const char **error_r)
{
	const char *mb = var_home_mailbox;

	buf_reset(path_r);
	if (*mb == 0 || mb[strlen(mb) - 1] != '/') {
		*error_r = "home_mailbox must name a Maildir (end in \"/\")";
		return -1;
	}
	if (u->home[0] != '/') {
		*error_r = "the home directory is not an absolute path";
		return -1;
	}
	if (mb[0] == '/' || strstr(mb, "..") != NULL) {
		*error_r = "home_mailbox must be a path below the home "
			   "directory, without \"..\"";
		return -1;
	}
	buf_printf(path_r, "%s%s%s", u->home,
	    u->home[strlen(u->home) - 1] == '/' ? "" : "/", mb);
	return 0;
}

int
local_as_user(struct local_msg *m, const char *rcpt, const char *path,
    uid_t uid, gid_t gid, char *errbuf, size_t errlen)
{
	struct attr_list req = { 0 };
	struct buf out;
	int ret;

	buf_init(&out, 4096);
	attr_list_add(&req, "kind", "maildir");
	attr_list_add(&req, "rcpt", rcpt);
	attr_list_add(&req, "path", path);
	ret = local_run_as(m, uid, gid, &req, &out);
	if (ret < 0)
		snprintf(errbuf, errlen, "%s", buf_cstr(&out));
	attr_list_clear(&req);
	buf_deinit(&out);
	return ret;
}

void
local_init(void)
{
	/* A table that cannot be opened defers the mail that needs it (and
	 * is logged); the rest is delivered. */
	resolve_init_lenient();
}

/* What the parts of one recipient's delivery came to. */
struct outcome {
	char dsn[16];    /* the first failure's, "" while none */
	char text[512];  /* its text */
	int temporary;   /* some part must be retried */
	struct buf sent; /* what succeeded, "; "-separated */
};

static void
outcome_fail(struct outcome *o, const char *dsn, const char *text)
{
	int temp = dsn[0] == '4';

	/* A temporary failure wins: the recipient is tried again. */
	if (o->dsn[0] == 0 || (temp && !o->temporary)) {
		snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
		snprintf(o->text, sizeof(o->text), "%s", text);
	}
	o->temporary |= temp;
}

static void
outcome_sent(struct outcome *o, const char *text)
{
	if (o->sent.len > 0)
		buf_puts(&o->sent, "; ");
	buf_puts(&o->sent, text);
}

/* The group an mbox delivery runs with: the user's own, or the group of
 * a mail_spool_directory that only it (and root) may write, such as
 * Debian's /var/mail (root:mail 2775), so that the delivery can make the
 * mailbox and its dot-lock there as Debian's setgid-mail tools do. The
 * process runs only our mbox code, never a user's command. */
static gid_t
spool_gid(const struct local_user *u)
{
	struct stat st;

	if (*var_home_mailbox != 0 || stat(var_mail_spool_dir, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || (st.st_mode & 0002) ||
	    !(st.st_mode & 0020) || st.st_gid == 0)
		return u->gid;
	return st.st_gid;
}

/* The user's own mailbox: home_mailbox (a Maildir) or, when that is
 * empty, the mbox file in mail_spool_directory. */
static void
deliver_mailbox(struct local_msg *m, const char *rcpt,
    const struct local_user *u, struct outcome *o)
{
	struct attr_list req = { 0 };
	struct buf path, out;
	const char *error;

	buf_init(&path, 4096);
	buf_init(&out, 4096);
	if (u->uid == 0) {
		buf_printf(&out,
		    "mail for root is not delivered as root: give \"%s\" "
		    "an alias to a real user (aliases(5))",
		    u->name);
		outcome_fail(o, "5.7.1", out.data);
		goto out;
	}
	if (!server_is_root() && u->uid != geteuid()) {
		buf_printf(&out,
		    "local runs as uid %ld and cannot deliver "
		    "as uid %ld (start Tern as root)",
		    (long)geteuid(), (long)u->uid);
		outcome_fail(o, "4.3.0", out.data);
		goto out;
	}
	if (*var_home_mailbox == 0) {
		buf_printf(&path, "%s/%s", var_mail_spool_dir, u->name);
		attr_list_add(&req, "kind", "mbox");
	} else if (local_home_mailbox(u, &path, &error) < 0) {
		log_warn("%s = %s: %s", VAR_HOME_MAILBOX, var_home_mailbox,
		    error);
		outcome_fail(o, "4.3.5", "mail system configuration error");
		goto out;
	} else {
		attr_list_add(&req, "kind", "maildir");
	}
	attr_list_add(&req, "rcpt", rcpt);
	attr_list_add(&req, "path", path.data);
	if (local_run_as(m, u->uid, spool_gid(u), &req, &out) == 0) {
		outcome_sent(o,
		    *var_home_mailbox == 0 ? "delivered to mailbox"
					   : "delivered to maildir");
	} else if (*var_home_mailbox == 0) {
		/* The mbox job answers "<dsn> <text>". */
		char dsn[16] = "4.2.0";
		const char *text = out.data;

		if (out.len > 6 && out.data[1] == '.' && out.data[5] == ' ') {
			snprintf(dsn, sizeof(dsn), "%.5s", out.data);
			text = out.data + 6;
		}
		outcome_fail(o, dsn, text);
	} else {
		buf_reset(&path);
		buf_printf(&path, "maildir delivery failed: %s", out.data);
		outcome_fail(o, "4.2.0", path.data);
	}
out:
	attr_list_clear(&req);
	buf_deinit(&path);
	buf_deinit(&out);
}

/* Run job "expand" as uid/gid and act on its answer (local_expand.c):
 * deliver "self" to the mailbox of self (when non-NULL), forward the
 * "to" addresses as one copy from sender. Returns 1 when the answer was
 * "missing" or "unsafe" (the caller delivers to the mailbox), else 0. */
static int
expand_and_act(struct local_msg *m, const char *rcpt, const char *sender,
    struct attr_list *req, uid_t uid, gid_t gid, const struct local_user *self,
    struct outcome *o)
{
	struct buf out, fwd;
	const char **to = NULL;
	size_t nto = 0;
	char *line, *next;
	int mailbox = 0, ret = 0;

	buf_init(&out, LOCAL_ANSWER_MAX);
	if (local_run_as(m, uid, gid, req, &out) < 0) {
		outcome_fail(o, "4.3.0", out.data);
		buf_deinit(&out);
		return 0;
	}
	for (line = out.data; line != NULL && *line != 0; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = 0;
		if (strcmp(line, "self") == 0) {
			mailbox = 1;
		} else if (strcmp(line, "missing") == 0) {
			ret = 1;
		} else if (strncmp(line, "unsafe ", 7) == 0) {
			log_warn("%s: %s: the .forward file is ignored and the "
				 "mail delivered to the mailbox",
			    m->queue_id, line + 7);
			ret = 1;
		} else if (strncmp(line, "to ", 3) == 0) {
			to = xrealloc(to, (nto + 1) * sizeof(*to));
			to[nto++] = line + 3;
		} else if (strncmp(line, "sent ", 5) == 0) {
			outcome_sent(o, line + 5);
		} else if (strncmp(line, "fail ", 5) == 0 &&
		    strlen(line) > 11) {
			char dsn[8];

			snprintf(dsn, sizeof(dsn), "%.5s", line + 5);
			outcome_fail(o, dsn, line + 11);
		}
	}
	buf_init(&fwd, 1024);
	if (nto > 0) {
		if (local_forward(m, rcpt, sender, to, nto, &fwd) < 0) {
			struct buf text;

			buf_init(&text, 1024);
			buf_printf(&text, "cannot forward: %s", fwd.data);
			outcome_fail(o, "4.3.0", text.data);
			buf_deinit(&text);
		} else {
			struct buf text;

			buf_init(&text, 1024);
			buf_printf(&text, "forwarded as %s", fwd.data);
			outcome_sent(o, text.data);
			buf_deinit(&text);
		}
	}
	if (mailbox && self != NULL)
		deliver_mailbox(m, rcpt, self, o);
	else if (mailbox)
		outcome_fail(o, "5.1.1",
		    "the alias names itself, and there is "
		    "no such user");
	buf_deinit(&fwd);
	xfree(to);
	buf_deinit(&out);
	return ret;
}

/* The envelope sender of a list's copies: owner-<alias>@myorigin when
 * that alias exists (aliases(5)), else the message's own. */
static char *
list_sender(const struct local_msg *m, const char *alias)
{
	char owner[ALIAS_NAME_MAX + 8];
	struct resolve_error err;
	char *value = NULL, *copy;

	if (*m->sender != 0 &&
	    alias_owner_name(alias, owner, sizeof(owner)) != NULL &&
	    resolve_local_alias(owner, "", &value, &err) > 0) {
		struct buf b;

		buf_init(&b, 2048);
		buf_printf(&b, "%s@%s", owner, var_myorigin);
		copy = buf_steal(&b);
		buf_deinit(&b);
		xfree(value);
		return copy;
	}
	return xstrdup(m->sender);
}

/* The user's .forward, or the mailbox. */
static void
deliver_user(struct local_msg *m, const char *rcpt, const char *name,
    const char *ext, struct outcome *o)
{
	struct attr_list req = { 0 };
	struct local_user u;
	const char *error;
	int ret;

	ret = local_user_find(name, &u, &error);
	if (ret < 0) {
		outcome_fail(o, "4.3.0", error);
		return;
	}
	if (ret == 0) {
		struct buf text;

		buf_init(&text, 1024);
		buf_printf(&text, "unknown user: \"%s\"", name);
		outcome_fail(o, "5.1.1", text.data);
		buf_deinit(&text);
		return;
	}
	if (u.uid == 0) {
		deliver_mailbox(m, rcpt, &u, o);
	} else {
		attr_list_add(&req, "kind", "expand");
		attr_list_add(&req, "source", "forward");
		attr_list_add(&req, "rcpt", rcpt);
		attr_list_add(&req, "user", u.name);
		attr_list_add(&req, "home", u.home);
		attr_list_add(&req, "shell", u.shell);
		attr_list_add(&req, "ext", ext);
		if (expand_and_act(m, rcpt, m->sender, &req, u.uid, u.gid, &u,
			o))
			deliver_mailbox(m, rcpt, &u, o);
		attr_list_clear(&req);
	}
	local_user_free(&u);
}

void
local_deliver_user(struct local_msg *m, const char *rcpt,
    struct local_result *res)
{
	struct resolve_error rerr;
	struct outcome o;
	struct buf user, ext;
	const char *error;
	char *value = NULL;
	int ret;

	memset(&o, 0, sizeof(o));
	buf_init(&o.sent, 1024);
	buf_init(&user, 1024);
	buf_init(&ext, 1024);
	if (resolve_local_user(rcpt, &user, &ext) < 0) {
		outcome_fail(&o, "5.1.3", "bad local part");
		goto out;
	}
	ret = resolve_local_alias(user.data, ext.data, &value, &rerr);
	if (ret < 0) {
		outcome_fail(&o, rerr.dsn, rerr.text);
	} else if (ret > 0) {
		struct attr_list req = { 0 };
		struct local_user privs, self;
		char *sender = list_sender(m, user.data);
		int has_self;

		/* Files and commands of aliases run as default_privs, as
		 * Postfix does for a root-owned alias database. */
		ret = local_user_find(var_default_privs, &privs, &error);
		if (ret <= 0) {
			log_warn("%s = %s: %s", VAR_DEFAULT_PRIVS,
			    var_default_privs,
			    ret < 0 ? error : "no such user");
			outcome_fail(&o, "4.3.5",
			    "mail system configuration error");
		} else {
			has_self =
			    local_user_find(user.data, &self, &error) > 0;
			attr_list_add(&req, "kind", "expand");
			attr_list_add(&req, "source", "alias");
			attr_list_add(&req, "value", value);
			attr_list_add(&req, "rcpt", rcpt);
			attr_list_add(&req, "user", user.data);
			attr_list_add(&req, "home", privs.home);
			attr_list_add(&req, "shell", privs.shell);
			attr_list_add(&req, "ext", ext.data);
			expand_and_act(m, rcpt, sender, &req, privs.uid,
			    privs.gid, has_self ? &self : NULL, &o);
			attr_list_clear(&req);
			if (has_self)
				local_user_free(&self);
			local_user_free(&privs);
		}
		xfree(sender);
	} else {
		deliver_user(m, rcpt, user.data, ext.data, &o);
	}
out:
	if (o.dsn[0] != 0)
		local_result_set(res, o.dsn, "%s", o.text);
	else
		local_result_set(res, "2.0.0", "%s",
		    o.sent.len ? o.sent.data : "delivered");
	xfree(value);
	buf_deinit(&o.sent);
	buf_deinit(&user);
	buf_deinit(&ext);
}
