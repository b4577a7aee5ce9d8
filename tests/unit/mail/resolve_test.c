/* SPDX-License-Identifier: MIT */
/* resolve_test - virtual alias expansion, address classes, mailbox, owner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"
#include "util/buf.h"
#include "util/mem.h"

static const char alias_maps[] =
    "inline:{"
    " { team@example.com = alice@example.com, bob@example.com },"
    " { all@example.com = team@example.com carol@example.com },"
    " { self@example.com = self@example.com, alice@example.com },"
    " { Mixed@example.com = MIXED@example.com },"
    " loop1@example.com=loop2@example.com,"
    " loop2@example.com=loop1@example.com,"
    " { bare@example.com = alice, dave@example.org },"
    " { list@example.com = alice, bob@example.com },"
    " hasext@example.com=carol+x@example.com,"
    " { dup@example.com = alice@example.com, ALICE@example.com,"
    "   team@example.com },"
    " bad@example.com=bad@@example.com,"
    " { empty@example.com = , },"
    " c0@example.com=c1@example.com, c1@example.com=c2@example.com,"
    " c2@example.com=c3@example.com, c3@example.com=c4@example.com,"
    " @alias.example=alice@example.com"
    " }";

static const char mailbox_maps[] = "inline:{"
				   " alice@example.com=alice/,"
				   " bob@example.com=bob/Maildir/,"
				   " abs@example.com=/etc/evil/,"
				   " dots@example.com=a/../../b/,"
				   " enddots@example.com=a/..,"
				   " namedots@example.com=john..doe/,"
				   " low@example.com=low/,"
				   " mbox@example.com=example.com/mbox,"
				   " @example.net=catchall/"
				   " }";

static const char uid_maps[] = "inline:{"
			       " alice@example.com=1001,"
			       " low@example.com=99,"
			       " root@example.com=0,"
			       " bad@example.com=12x,"
			       " neg@example.com=-5,"
			       " { empty@example.com = },"
			       " badgid@example.com=1002,"
			       " rootgid@example.com=1003,"
			       " huge@example.com=99999999999999999999"
			       " }";

static const char gid_maps[] =
    "inline:{ badgid@example.com=abc, rootgid@example.com=0 }, static:5000";

/* The parameters this test sets, with the loader's values to put back. */
static struct saved {
	char **var;
	char *value;
} saved[] = {
	{ &var_myhostname, NULL },
	{ &var_mydomain, NULL },
	{ &var_myorigin, NULL },
	{ &var_rcpt_delim, NULL },
	{ &var_virt_mailbox_domains, NULL },
	{ &var_virt_mailbox_maps, NULL },
	{ &var_virt_mailbox_base, NULL },
	{ &var_virt_alias_maps, NULL },
	{ &var_virt_uid_maps, NULL },
	{ &var_virt_gid_maps, NULL },
	{ &var_transport_maps, NULL },
	{ &var_relayhost, NULL },
	{ &var_mydestination, NULL },
	{ &var_local_rcpt_maps, NULL },
	{ &var_alias_maps, NULL },
};

#define NSAVED (sizeof(saved) / sizeof(saved[0]))

static int teardown(void **state);

static int
setup(void **state)
{
	const char *error = NULL;
	size_t i;

	(void)state;
	config_load_defaults();
	for (i = 0; i < NSAVED; i++)
		saved[i].value = *saved[i].var;
	var_myhostname = "mail.example.com";
	var_mydomain = "example.com";
	var_myorigin = "example.com";
	var_rcpt_delim = "+";
	var_virt_mailbox_domains = "example.com, EXAMPLE.net";
	var_virt_mailbox_maps = (char *)mailbox_maps;
	var_virt_mailbox_base = "/var/mail/vhosts";
	var_virt_alias_maps = (char *)alias_maps;
	var_virt_uid_maps = (char *)uid_maps;
	var_virt_gid_maps = (char *)gid_maps;
	var_transport_maps =
	    "inline:{ { a@far.test = smtp:[10.0.0.1]:26 }, "
	    "{ far.test = smtp: }, { .sub.test = error:5.1.6 moved }, "
	    "{ b@example.com = discard: }, { * = local: } }";
	var_relayhost = "";
	var_mydestination = "mail.example.com, localhost";
	var_local_rcpt_maps = "inline:{ joe=x, sam+list=x }";
	var_alias_maps = "inline:{ { staff = joe, sam+list }, owner-staff=joe, "
			 "{ info+sales = joe } }";
	var_virt_minimum_uid = 100;
	var_virt_recur_limit = DEF_VIRT_RECUR_LIMIT;
	var_virt_expan_limit = DEF_VIRT_EXPAN_LIMIT;
	if (resolve_open(&error) < 0) {
		fprintf(stderr, "resolve_open: %s\n", error);
		teardown(state);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	resolve_close();
	for (i = 0; i < NSAVED; i++)
		*saved[i].var = saved[i].value;
	config_reset();
	return 0;
}

/* Expand addr and compare with the space-separated list want, or with
 * the failure dsn when want starts with "!". */
static void
check_alias(const char *addr, const char *want)
{
	struct resolve_list l = { 0 };
	struct resolve_error err;
	struct buf got;
	size_t i;
	int ret;

	memset(&err, 0, sizeof(err));
	buf_init(&got, 65536);
	ret = resolve_alias(addr, &l, &err);
	if (ret < 0) {
		buf_printf(&got, "!%s %d", err.dsn, err.code);
	} else {
		for (i = 0; i < l.n; i++)
			buf_printf(&got, "%s%s", i ? " " : "", l.addr[i]);
	}
	if (strcmp(buf_cstr(&got), want) != 0)
		fail_msg("alias %s: got \"%s\", want \"%s\"", addr,
		    buf_cstr(&got), want);
	resolve_list_free(&l);
	assert_null(l.addr);
	assert_int_equal(l.n, 0);
	buf_deinit(&got);
}

/* mydestination's users: local_recipient_maps has the user name (with
 * the extension first, then without); the class does not depend on the
 * case of the local part; postmaster is always accepted; a virtual
 * domain wins over a local one. */
static void
test_local_class(void **state)
{
	static const struct {
		const char *addr;
		int cls;
	} cases[] = {
		{ "joe@mail.example.com", RESOLVE_LOCAL },
		{ "JOE@LocalHost", RESOLVE_LOCAL },
		{ "joe+x@mail.example.com", RESOLVE_LOCAL },
		{ "sam+list@localhost", RESOLVE_LOCAL },
		{ "sam+other@localhost", RESOLVE_UNKNOWN },
		{ "sam@localhost", RESOLVE_UNKNOWN },
		{ "postmaster@localhost", RESOLVE_POSTMASTER },
		{ "joe@elsewhere.test", RESOLVE_RELAY },
		{ "joe@example.com", RESOLVE_UNKNOWN },
		{ "Staff@localhost", RESOLVE_LOCAL },
		{ "staff+x@localhost", RESOLVE_LOCAL },
		{ "info+sales@localhost", RESOLVE_LOCAL },
		{ "info+other@localhost", RESOLVE_UNKNOWN },
	};
	struct resolve_error err;
	struct buf user, ext;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int cls = resolve_class(cases[i].addr, &err);

		if (cls != cases[i].cls)
			fail_msg("%s: class %d, want %d", cases[i].addr, cls,
			    cases[i].cls);
	}
	assert_int_equal(resolve_class("nobody@localhost", &err),
	    RESOLVE_UNKNOWN);
	assert_int_equal(err.code, 550);
	assert_string_equal(err.dsn, "5.1.1");
	assert_string_equal(err.text,
	    "<nobody@localhost>: Recipient address rejected: User unknown "
	    "in local recipient table");

	buf_init(&user, 1024);
	buf_init(&ext, 1024);
	assert_int_equal(resolve_local_user("Joe+A+b@localhost", &user, &ext),
	    0);
	assert_string_equal(buf_cstr(&user), "joe");
	assert_string_equal(buf_cstr(&ext), "a+b");
	assert_int_equal(resolve_local_user("+x@localhost", &user, &ext), 0);
	assert_string_equal(buf_cstr(&user), "+x");
	assert_string_equal(buf_cstr(&ext), "");
	assert_int_equal(resolve_local_user("@localhost", &user, &ext), -1);
	buf_deinit(&user);
	buf_deinit(&ext);

	/* The alias of a user name, extension first. */
	{
		char *value = NULL;

		assert_int_equal(resolve_local_alias("staff", "x", &value,
				     &err),
		    1);
		assert_string_equal(value, "joe, sam+list");
		xfree(value);
		assert_int_equal(resolve_local_alias("info", "sales", &value,
				     &err),
		    1);
		assert_string_equal(value, "joe");
		xfree(value);
		assert_int_equal(resolve_local_alias("info", "", &value, &err),
		    0);
	}

	/* Empty local_recipient_maps: every local part is a user. */
	resolve_close();
	var_local_rcpt_maps = "";
	assert_int_equal(resolve_open(&(const char *){ NULL }), 0);
	assert_int_equal(resolve_class("anyone@localhost", &err),
	    RESOLVE_LOCAL);
}

static void
test_alias(void **state)
{
	static const struct {
		const char *addr, *want;
	} cases[] = {
		/* Not aliased: its own result. */
		{ "zed@example.com", "zed@example.com" },
		{ "zed@other.org", "zed@other.org" },
		/* One to many, and recursion. */
		{ "team@example.com", "alice@example.com bob@example.com" },
		{ "TEAM@Example.COM", "alice@example.com bob@example.com" },
		{ "all@example.com",
		    "alice@example.com bob@example.com carol@example.com" },
		/* An alias naming itself is final. */
		{ "self@example.com", "self@example.com alice@example.com" },
		{ "mixed@example.com", "mixed@example.com" },
		/* A loop ends at the recursion limit. */
		{ "loop1@example.com", "!5.4.6 554" },
		/* Bare local parts get @$myorigin. */
		{ "bare@example.com", "alice@example.com dave@example.org" },
		/* The extension is carried to each item that has none. */
		{ "list+foo@example.com",
		    "alice+foo@example.com bob+foo@example.com" },
		{ "list@example.com", "alice@example.com bob@example.com" },
		{ "team+x@example.com",
		    "alice+x@example.com bob+x@example.com" },
		{ "all+y@example.com",
		    "alice+y@example.com bob+y@example.com "
		    "carol+y@example.com" },
		{ "hasext+y@example.com", "carol+x@example.com" },
		/* An extension on an address that is not aliased stays. */
		{ "alice+z@example.com", "alice+z@example.com" },
		/* Duplicates collapse (case-insensitively). */
		{ "dup@example.com", "alice@example.com bob@example.com" },
		/* A catch-all for a domain. */
		{ "anyone@alias.example", "alice@example.com" },
		/* The extension is not carried through a catch-all match
		 * (addr_map_lookup reports it only for step 2). */
		{ "anyone+e@alias.example", "alice@example.com" },
		/* A bad table entry is a temporary error. */
		{ "bad@example.com", "!4.3.0 451" },
		/* A value with no items expands to nothing. */
		{ "empty@example.com", "" },
		/* A chain as deep as the limit allows. */
		{ "c0@example.com", "c4@example.com" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_alias(cases[i].addr, cases[i].want);
}

static void
test_alias_limits(void **state)
{
	struct resolve_list l = { 0 };
	struct resolve_error err;

	(void)state;
	/* c0 -> c1 -> c2 -> c3 -> c4 needs depth 4. */
	var_virt_recur_limit = 4;
	check_alias("c0@example.com", "c4@example.com");
	var_virt_recur_limit = 3;
	check_alias("c0@example.com", "!5.4.6 554");
	assert_int_equal(resolve_alias("c1@example.com", &l, &err), 0);
	resolve_list_free(&l);
	assert_int_equal(resolve_alias("c0@example.com", &l, &err), -1);
	/* The text names the address at which the limit was hit. */
	assert_non_null(strstr(err.text, "<c4@example.com>"));
	assert_non_null(strstr(err.text, "recursion limit"));
	resolve_list_free(&l);
	var_virt_recur_limit = 0;
	check_alias("zed@example.com", "zed@example.com");
	check_alias("team@example.com", "!5.4.6 554");
	var_virt_recur_limit = DEF_VIRT_RECUR_LIMIT;

	/* Expansion limit: two results pass, three do not. */
	var_virt_expan_limit = 2;
	check_alias("team@example.com", "alice@example.com bob@example.com");
	check_alias("all@example.com", "!5.7.1 554");
	var_virt_expan_limit = 1;
	check_alias("zed@example.com", "zed@example.com");
	check_alias("team@example.com", "!5.7.1 554");
	var_virt_expan_limit = DEF_VIRT_EXPAN_LIMIT;
}

static void
test_alias_without_delimiter(void **state)
{
	(void)state;
	var_rcpt_delim = "";
	/* No delimiter: "list+foo" is a different, unaliased user. */
	check_alias("list+foo@example.com", "list+foo@example.com");
	check_alias("list@example.com", "alice@example.com bob@example.com");
	var_rcpt_delim = "+";
}

static void
test_class(void **state)
{
	static const struct {
		const char *addr;
		int class;
		int code;
		const char *dsn;
	} cases[] = {
		{ "alice@example.com", RESOLVE_VIRTUAL, 0, "" },
		{ "ALICE@EXAMPLE.COM", RESOLVE_VIRTUAL, 0, "" },
		{ "alice+ext@example.com", RESOLVE_VIRTUAL, 0, "" },
		{ "anyone@example.net", RESOLVE_VIRTUAL, 0, "" },
		{ "nobody@example.com", RESOLVE_UNKNOWN, 550, "5.1.1" },
		{ "nobody+x@example.com", RESOLVE_UNKNOWN, 550, "5.1.1" },
		{ "user@other.org", RESOLVE_RELAY, 554, "5.7.1" },
		{ "alice@sub.example.com", RESOLVE_RELAY, 554, "5.7.1" },
		/* postmaster works for our names and virtual domains. */
		{ "postmaster@example.com", RESOLVE_POSTMASTER, 0, "" },
		{ "PostMaster@example.com", RESOLVE_POSTMASTER, 0, "" },
		{ "postmaster@mail.example.com", RESOLVE_POSTMASTER, 0, "" },
		{ "postmaster@MAIL.EXAMPLE.COM", RESOLVE_POSTMASTER, 0, "" },
		{ "postmaster", RESOLVE_POSTMASTER, 0, "" },
		{ "postmaster@other.org", RESOLVE_RELAY, 554, "5.7.1" },
		{ "postmaster+x@other.org", RESOLVE_RELAY, 554, "5.7.1" },
		{ "user", RESOLVE_RELAY, 554, "5.7.1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resolve_error err;
		int ret;

		memset(&err, 0, sizeof(err));
		ret = resolve_class(cases[i].addr, &err);
		if (ret != cases[i].class)
			fail_msg("%s: class %d, want %d", cases[i].addr, ret,
			    cases[i].class);
		assert_int_equal(err.code, cases[i].code);
		assert_string_equal(err.dsn, cases[i].dsn);
		if (cases[i].code != 0)
			assert_non_null(strstr(err.text, cases[i].addr));
	}
}

static void
test_mailbox(void **state)
{
	static const struct {
		const char *addr;
		int ret;
		const char *want; /* path, or the dsn on failure */
	} cases[] = {
		{ "alice@example.com", 0, "/var/mail/vhosts/alice/" },
		{ "Alice+tag@Example.com", 0, "/var/mail/vhosts/alice/" },
		{ "bob@example.com", 0, "/var/mail/vhosts/bob/Maildir/" },
		{ "x@example.net", 0, "/var/mail/vhosts/catchall/" },
		/* Values that would leave the base are refused. */
		{ "abs@example.com", -1, "4.3.5" },
		{ "dots@example.com", -1, "4.3.5" },
		{ "enddots@example.com", -1, "4.3.5" },
		/* ".." inside a name is no path segment. */
		{ "namedots@example.com", 0, "/var/mail/vhosts/john..doe/" },
		{ "nobody@example.com", -1, "5.1.1" },
	};
	struct buf path;
	size_t i;

	(void)state;
	buf_init(&path, 4096);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resolve_error err;
		int ret;

		memset(&err, 0, sizeof(err));
		buf_set(&path, "stale");
		ret = resolve_mailbox(cases[i].addr, &path, &err);
		if (ret != cases[i].ret)
			fail_msg("%s: %d, want %d", cases[i].addr, ret,
			    cases[i].ret);
		if (ret == 0)
			assert_string_equal(buf_cstr(&path), cases[i].want);
		else
			assert_string_equal(err.dsn, cases[i].want);
	}
	buf_deinit(&path);
}

static void
test_mailbox_base_and_size(void **state)
{
	struct resolve_error err;
	struct buf path;

	(void)state;
	/* Without a base there is no safe place for any mailbox. */
	var_virt_mailbox_base = "";
	buf_init(&path, 4096);
	assert_int_equal(resolve_mailbox("alice@example.com", &path, &err), -1);
	assert_int_equal(err.code, 451);
	assert_string_equal(err.dsn, "4.3.5");
	buf_deinit(&path);
	var_virt_mailbox_base = "/var/mail/vhosts";
	/* A path that does not fit the caller's buffer. */
	buf_init(&path, 10);
	assert_int_equal(resolve_mailbox("alice@example.com", &path, &err), -1);
	assert_string_equal(err.dsn, "4.3.5");
	assert_string_equal(err.text, "mailbox path too long");
	buf_deinit(&path);
	/* Exactly fits. */
	buf_init(&path, strlen("/var/mail/vhosts/alice/"));
	assert_int_equal(resolve_mailbox("alice@example.com", &path, &err), 0);
	buf_deinit(&path);
}

static void
test_owner(void **state)
{
	static const struct {
		const char *addr;
		long min_uid;
		int ret;
		long uid, gid;
	} cases[] = {
		{ "alice@example.com", 100, 0, 1001, 5000 },
		{ "alice+ext@example.com", 100, 0, 1001, 5000 },
		{ "low@example.com", 100, -1, 0, 0 },
		{ "low@example.com", 99, 0, 99, 5000 },
		{ "root@example.com", 100, -1, 0, 0 },
		/* Root never owns a mailbox, whatever the minimum. */
		{ "root@example.com", 0, -1, 0, 0 },
		{ "root@example.com", 1, -1, 0, 0 },
		{ "rootgid@example.com", 100, -1, 0, 0 },
		{ "rootgid@example.com", 0, -1, 0, 0 },
		{ "bad@example.com", 0, -1, 0, 0 },
		{ "neg@example.com", 0, -1, 0, 0 },
		{ "empty@example.com", 0, -1, 0, 0 },
		{ "huge@example.com", 0, -1, 0, 0 },
		{ "badgid@example.com", 0, -1, 0, 0 },
		/* No uid entry at all. */
		{ "nobody@example.com", 0, -1, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resolve_error err;
		uid_t uid = 12345;
		gid_t gid = 12345;
		int ret;

		memset(&err, 0, sizeof(err));
		var_virt_minimum_uid = cases[i].min_uid;
		ret = resolve_owner(cases[i].addr, &uid, &gid, &err);
		if (ret != cases[i].ret)
			fail_msg("%s (min %ld): %d, want %d", cases[i].addr,
			    cases[i].min_uid, ret, cases[i].ret);
		if (ret == 0) {
			assert_int_equal(uid, cases[i].uid);
			assert_int_equal(gid, cases[i].gid);
		} else {
			assert_int_equal(err.code, 451);
			assert_string_equal(err.dsn, "4.3.5");
			assert_int_equal(uid, 12345);
			assert_int_equal(gid, 12345);
		}
	}
	var_virt_minimum_uid = 100;
}

static void
test_open_errors(void **state)
{
	static const struct {
		char **var;
		const char *name;
	} cases[] = {
		{ &var_virt_alias_maps, VAR_VIRT_ALIAS_MAPS },
		{ &var_virt_mailbox_maps, VAR_VIRT_MAILBOX_MAPS },
		{ &var_virt_uid_maps, VAR_VIRT_UID_MAPS },
		{ &var_virt_gid_maps, VAR_VIRT_GID_MAPS },
		{ &var_virt_mailbox_domains, VAR_VIRT_MAILBOX_DOMAINS },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *was = *cases[i].var;
		const char *error = NULL;

		*cases[i].var = "nosuchtype:x";
		assert_int_equal(resolve_open(&error), -1);
		assert_non_null(error);
		assert_int_equal(strncmp(error, cases[i].name,
				     strlen(cases[i].name)),
		    0);
		assert_non_null(strstr(error, "nosuchtype"));
		*cases[i].var = was;
	}
	/* Unbalanced braces. */
	{
		char *was = var_virt_alias_maps;
		const char *error = NULL;

		var_virt_alias_maps = "inline:{a=b";
		assert_int_equal(resolve_open(&error), -1);
		var_virt_alias_maps = was;
	}
	/* All empty: nothing is ours, nothing is aliased. */
	{
		struct resolve_error err;
		const char *error = NULL;

		var_virt_alias_maps = "";
		var_virt_mailbox_maps = "";
		var_virt_mailbox_domains = "";
		assert_int_equal(resolve_open(&error), 0);
		check_alias("team@example.com", "team@example.com");
		assert_int_equal(resolve_class("alice@example.com", &err),
		    RESOLVE_RELAY);
		assert_int_equal(resolve_class("postmaster@example.com", &err),
		    RESOLVE_POSTMASTER);
	}
}

/* resolve_init_lenient: a list that cannot be opened makes every lookup
 * through it a temporary failure naming the address; the others work. */
static void
test_lenient(void **state)
{
	static const struct {
		char **var;
		const char *lookup; /* "alias", "class", "mailbox", "owner" */
	} cases[] = {
		{ &var_virt_alias_maps, "alias" },
		{ &var_virt_mailbox_domains, "class" },
		{ &var_virt_mailbox_maps, "class" },
		{ &var_virt_mailbox_maps, "mailbox" },
		{ &var_virt_uid_maps, "owner" },
		{ &var_virt_gid_maps, "owner" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *was = *cases[i].var;
		struct resolve_list l = { 0 };
		struct resolve_error err;
		struct buf path;
		uid_t uid;
		gid_t gid;
		int ret;

		*cases[i].var = "example.org, nosuchtype:x";
		resolve_init_lenient();
		memset(&err, 0, sizeof(err));
		buf_init(&path, 4096);
		if (strcmp(cases[i].lookup, "alias") == 0)
			ret = resolve_alias("alice@example.com", &l, &err);
		else if (strcmp(cases[i].lookup, "class") == 0)
			ret = resolve_class("alice@example.com", &err);
		else if (strcmp(cases[i].lookup, "mailbox") == 0)
			ret = resolve_mailbox("alice@example.com", &path, &err);
		else
			ret = resolve_owner("alice@example.com", &uid, &gid,
			    &err);
		assert_int_equal(ret, -1);
		assert_int_equal(err.code, 451);
		assert_string_equal(err.dsn, "4.3.0");
		assert_string_equal(err.text,
		    "<alice@example.com>: Temporary lookup failure");
		resolve_list_free(&l);
		buf_deinit(&path);
		*cases[i].var = was;
	}
	/* Back in order: the same lookups work again. */
	resolve_init_lenient();
	check_alias("alice@example.com", "alice@example.com");
}

struct reports {
	char text[16][1024];
	size_t n;
};

/* Keep each finding, "E " (error) or "W " (warning) first. */
static void
collect(void *ctx, int error, const char *text)
{
	struct reports *r = ctx;

	if (r->n < 16)
		snprintf(r->text[r->n], sizeof(r->text[0]), "%s %s",
		    error ? "E" : "W", text);
	r->n++;
}

/* 1 when one report contains both a and b. */
static int
reported(const struct reports *r, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < r->n && i < 16; i++)
		if (strstr(r->text[i], a) != NULL &&
		    strstr(r->text[i], b) != NULL)
			return 1;
	return 0;
}

static void
test_check(void **state)
{
	struct reports r;
	const char *error = NULL;

	(void)state;
	memset(&r, 0, sizeof(r));
	/* mailbox: abs, dots, enddots, mbox; uid: low (99 < 100: a
	 * warning), root (0), bad, neg, empty, huge; gid: badgid (abc),
	 * rootgid (0). */
	assert_int_equal(resolve_check(collect, &r, &error), 11);
	assert_int_equal(r.n, 12);
	assert_true(reported(&r, "E virtual_mailbox_maps inline:",
	    "key \"mbox@example.com\": \"example.com/mbox\" is an mbox "
	    "path: mbox delivery is not supported"));
	assert_true(reported(&r, "key \"abs@example.com\"",
	    "\"/etc/evil/\" must be relative to virtual_mailbox_base"));
	assert_true(reported(&r, "key \"enddots@example.com\"",
	    "without \"..\" segments"));
	assert_true(reported(&r, "E virtual_uid_maps inline:",
	    "key \"root@example.com\": uid 0 (root) is refused"));
	assert_true(reported(&r, "W virtual_uid_maps inline:",
	    "\"low@example.com\": uid 99 is below virtual_minimum_uid (100)"));
	assert_true(reported(&r, "virtual_gid_maps inline:",
	    "key \"rootgid@example.com\": gid 0 (root's group) is refused"));
	assert_true(
	    reported(&r, "\"badgid@example.com\"", "\"abc\" is not a gid"));
	assert_false(reported(&r, "key \"alice@example.com\"", ""));

	/* static:0 gives root to every key. */
	memset(&r, 0, sizeof(r));
	var_virt_mailbox_maps = "inline:{ a@example.com=a/ }";
	var_virt_uid_maps = "static:0";
	var_virt_gid_maps = "static:5000";
	assert_int_equal(resolve_open(&error), 0);
	assert_int_equal(resolve_check(collect, &r, &error), 1);
	assert_true(reported(&r, "virtual_uid_maps static:0: every key",
	    "uid 0 (root) is refused"));
	var_virt_mailbox_maps = (char *)mailbox_maps;
	var_virt_uid_maps = (char *)uid_maps;
	var_virt_gid_maps = (char *)gid_maps;
	assert_int_equal(resolve_open(&error), 0);
}

/* transport_maps: address, domain, parent domains, then "*"; empty
 * parts take the defaults. */
static void
test_route(void **state)
{
	static const struct {
		const char *addr;
		int cls;
		enum resolve_transport t;
		const char *hop;
	} cases[] = {
		{ "a@far.test", RESOLVE_RELAY, RESOLVE_T_SMTP,
		    "[10.0.0.1]:26" },
		{ "b@far.test", RESOLVE_RELAY, RESOLVE_T_SMTP, "far.test" },
		{ "c@x.sub.test", RESOLVE_RELAY, RESOLVE_T_ERROR,
		    "5.1.6 moved" },
		{ "c@sub.test", RESOLVE_RELAY, RESOLVE_T_LOCAL, "" },
		{ "b@example.com", RESOLVE_VIRTUAL, RESOLVE_T_DISCARD, "" },
	};
	struct resolve_route rt;
	struct resolve_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(resolve_route(cases[i].addr, cases[i].cls, &rt,
				     &err),
		    0);
		assert_int_equal(rt.transport, cases[i].t);
		assert_string_equal(rt.nexthop, cases[i].hop);
	}
	/* Without a table entry: the class's default, relayhost for smtp. */
	resolve_close();
	var_transport_maps = "";
	var_relayhost = "[relay.example]:587";
	assert_int_equal(resolve_open(&(const char *){ NULL }), 0);
	assert_int_equal(resolve_route("z@far.test", RESOLVE_RELAY, &rt, &err),
	    0);
	assert_int_equal(rt.transport, RESOLVE_T_SMTP);
	assert_string_equal(rt.nexthop, "[relay.example]:587");
	assert_int_equal(resolve_route("alice@example.com", RESOLVE_VIRTUAL,
			     &rt, &err),
	    0);
	assert_int_equal(rt.transport, RESOLVE_T_LOCAL);
	/* A transport Tern does not have: 4.3.5. */
	resolve_close();
	var_transport_maps = "inline:{ odd.test=uucp:x }";
	assert_int_equal(resolve_open(&(const char *){ NULL }), 0);
	assert_int_equal(resolve_route("q@odd.test", RESOLVE_RELAY, &rt, &err),
	    -1);
	assert_string_equal(err.dsn, "4.3.5");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_limits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_alias_without_delimiter,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_class, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mailbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_base_and_size,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lenient, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
