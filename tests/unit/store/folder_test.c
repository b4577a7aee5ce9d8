/* SPDX-License-Identifier: MIT */
/* folder_test - Maildir++ folders: names both ways (UTF-8 and modified
 * UTF-7, INBOX, refusals), LIST patterns (and their cost), LIST with
 * attributes, CREATE, DELETE and RENAME (inferiors, INBOX), Dovecot's
 * subscriptions file read and written, a new user's folders. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/folder.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/mem.h"

#include "maildir_fixture.h"

#define U FOLDER_UTF8

static int
setup(void **state)
{
	(void)state;
	return fixture_setup("folder_test");
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_teardown();
}

static int
exists(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", mdir, rel);
	return lstat(path, &st) == 0;
}

static void
mkdir_rel(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", mdir, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

static void
create_ok(const char *name, int flags)
{
	if (folder_create(mdir, name, flags, err) != 0)
		fail_msg("create %s: %s", name, buf_cstr(err));
}

/* The listing as one line: "name(attrs) name(attrs) ...", attributes as
 * letters: c HasChildren, n HasNoChildren, x NonExistent, s Subscribed,
 * S Sent, D Drafts, T Trash, J Junk, A Archive. */
static const char *
list(const char *ref, const char *pattern, int flags)
{
	static const char letters[] = "cnxsSDTJA";
	static struct buf out;
	struct folder_set set;

	if (out.data == NULL)
		buf_init(&out, 1 << 16);
	buf_reset(&out);
	if (folder_list(mdir, ref, pattern, flags, &set, err) != 0)
		fail_msg("list: %s", buf_cstr(err));
	for (size_t i = 0; i < set.count; i++) {
		buf_printf(&out, "%s%s(", i > 0 ? " " : "", set.items[i].name);
		for (int b = 0; letters[b] != 0; b++)
			if (set.items[i].attrs & (1u << b))
				buf_putc(&out, letters[b]);
		buf_putc(&out, ')');
	}
	folder_set_free(&set);
	return out.data;
}

static void
test_names(void **state)
{
	static const struct {
		const char *name;
		int flags;
		const char *storage; /* NULL: refused */
	} cases[] = {
		{ "Sent", U, "Sent" }, { "Work/2024", U, "Work.2024" },
		{ "Entw\xc3\xbcrfe", U, "Entw&APw-rfe" },
		{ "Entw&APw-rfe", 0, "Entw&APw-rfe" },
		{ "\xe5\x8f\xb0\xe5\x8c\x97/x", U, "&U,BTFw-.x" },
		{ "&U,BTFw-/x", 0, "&U,BTFw-.x" }, { "a&b", U, "a&-b" },
		{ "a&-b", 0, "a&-b" }, { "inbox", U, "INBOX" },
		{ "InBoX", 0, "INBOX" }, { "inbox/Sub", U, "INBOX.Sub" },
		{ "inboxes", U, "inboxes" }, { "a~b", U, "a~b" },
		{ "with space", U, "with space" }, { "", U, NULL },
		{ "/a", U, NULL }, { "a/", U, NULL }, { "a//b", U, NULL },
		{ "a.b", U, NULL }, { "a/.b", U, NULL }, { "~a", U, NULL },
		{ "a/~b", U, NULL }, { "a\tb", U, NULL }, { "a\x7f", U, NULL },
		{ "a\xc3", U, NULL },           /* bad UTF-8 */
		{ "Entw\xc3\xbcrfe", 0, NULL }, /* 8-bit in modified UTF-7 */
		{ "a&b", 0, NULL },             /* bad modified UTF-7 */
		{ "&AGE-", 0, NULL },           /* encoded ASCII */
		{ "&AAk-", 0, NULL },           /* an encoded TAB */
	};
	struct buf *s = buf_create(4096), *n = buf_create(4096);
	char longname[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret =
		    folder_storage_name(cases[i].name, cases[i].flags, s, err);

		if (cases[i].storage == NULL) {
			if (ret != FOLDER_BADNAME)
				fail_msg("accepted %s", cases[i].name);
			continue;
		}
		if (ret != 0)
			fail_msg("%s: %s", cases[i].name, buf_cstr(err));
		assert_string_equal(buf_cstr(s), cases[i].storage);
		/* and back */
		assert_int_equal(folder_imap_name(buf_cstr(s), cases[i].flags,
				     n, err),
		    0);
		assert_int_equal(folder_storage_name(buf_cstr(n),
				     cases[i].flags, s, err),
		    0);
		assert_string_equal(buf_cstr(s), cases[i].storage);
	}
	assert_int_equal(folder_imap_name("Entw&APw-rfe", U, n, err), 0);
	assert_string_equal(buf_cstr(n), "Entw\xc3\xbcrfe");
	assert_int_equal(folder_imap_name("Work.2024", 0, n, err), 0);
	assert_string_equal(buf_cstr(n), "Work/2024");
	/* Directories no name gives. */
	assert_int_equal(folder_imap_name("inbox.x", U, n, err),
	    FOLDER_BADNAME);
	assert_int_equal(folder_imap_name("a..b", U, n, err), FOLDER_BADNAME);
	assert_int_equal(folder_imap_name("~a", U, n, err), FOLDER_BADNAME);
	assert_int_equal(folder_imap_name("&AGE-", U, n, err), FOLDER_BADNAME);
	assert_int_equal(folder_imap_name("a/b", U, n, err), FOLDER_BADNAME);
	/* The storage name must fit a directory name. */
	memset(longname, 'x', sizeof(longname));
	longname[FOLDER_STORAGE_MAX] = 0;
	assert_int_equal(folder_storage_name(longname, U, s, err), 0);
	longname[FOLDER_STORAGE_MAX] = 'x';
	longname[FOLDER_STORAGE_MAX + 1] = 0;
	assert_int_equal(folder_storage_name(longname, U, s, err),
	    FOLDER_BADNAME);
	/* Paths */
	assert_int_equal(folder_path("/m", "inbox", U, s, err), 0);
	assert_string_equal(buf_cstr(s), "/m");
	assert_int_equal(folder_path("/m", "Work/2024", U, s, err), 0);
	assert_string_equal(buf_cstr(s), "/m/.Work.2024");
	assert_int_equal(folder_path("/m", "a.b", U, s, err), FOLDER_BADNAME);
	buf_destroy(&s);
	buf_destroy(&n);
}

static void
test_match(void **state)
{
	static const struct {
		const char *pattern, *name;
		int match;
	} cases[] = {
		{ "*", "a/b/c", 1 },
		{ "%", "a", 1 },
		{ "%", "a/b", 0 },
		{ "%/%", "a/b", 1 },
		{ "a/%", "a/b", 1 },
		{ "a/%", "a/b/c", 0 },
		{ "a/*", "a/b/c", 1 },
		{ "a*", "a", 1 },
		{ "a*", "ab/c", 1 },
		{ "a%", "ab/c", 0 },
		{ "a%c", "abbbc", 1 },
		{ "a%c", "ab/c", 0 },
		{ "a*c", "ab/c", 1 },
		{ "*c", "abc/c", 1 },
		{ "%*%", "a/b", 1 },
		{ "%%", "a/b", 0 },
		{ "", "", 1 },
		{ "", "a", 0 },
		{ "abc", "abc", 1 },
		{ "abc", "abd", 0 },
		{ "abc", "ab", 0 },
		{ "Abc", "abc", 0 },
		{ "inbox", "INBOX", 1 },
		{ "InBox/%", "INBOX/x", 1 },
		{ "inbox/X", "INBOX/x", 0 },
		{ "inb*", "INBOX", 1 },
		{ "i%", "INBOX", 1 },
		{ "inboxes", "inboxes", 1 },
		{ "INBOXES", "inboxes", 0 },
		{ "a%b%c%d", "aXbYcZd", 1 },
		{ "a%b%c%d", "aXbYcZ/d", 0 },
	};
	char pattern[FOLDER_PATTERN_MAX + 2], name[300];
	struct timeval t0, t1;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (folder_match(cases[i].pattern, cases[i].name) !=
		    cases[i].match)
			fail_msg("pattern %s, name %s", cases[i].pattern,
			    cases[i].name);
	/* The worst for a backtracking matcher: "%a" many times against
	 * a long run of a's that ends wrong. 1000 names in well under a
	 * second. */
	for (i = 0; i + 2 < 600; i += 2) {
		pattern[i] = '%';
		pattern[i + 1] = 'a';
	}
	pattern[i++] = 'b';
	pattern[i] = 0;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	gettimeofday(&t0, NULL);
	for (i = 0; i < 1000; i++)
		assert_int_equal(folder_match(pattern + 400, name), 0);
	gettimeofday(&t1, NULL);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	/* Too long a pattern matches nothing. */
	memset(pattern, '*', FOLDER_PATTERN_MAX + 1);
	pattern[FOLDER_PATTERN_MAX + 1] = 0;
	assert_int_equal(folder_match(pattern, "a"), 0);
	pattern[FOLDER_PATTERN_MAX] = 0;
	assert_int_equal(folder_match(pattern, "a"), 1);
}

static void
test_list(void **state)
{
	(void)state;
	/* No Maildir yet: INBOX alone. */
	assert_string_equal(list("", "*", U), "INBOX(n)");
	create_ok("Sent", U);
	create_ok("Trash", U);
	create_ok("Work/2024", U);
	create_ok("a/b/c", U);
	create_ok("Entw\xc3\xbcrfe", U);
	create_ok("INBOX/Sub", U);
	create_ok("Sent/Old", U);
	/* Not listed: no cur/, a file, a name no IMAP name gives, and
	 * ".INBOX" (a second INBOX). */
	mkdir_rel(".nocur");
	put(".file", "");
	mkdir_rel(".inbox.x");
	mkdir_rel(".inbox.x/cur");
	mkdir_rel(".a..b");
	mkdir_rel(".a..b/cur");
	mkdir_rel(".INBOX");
	mkdir_rel(".INBOX/cur");
	assert_true(exists(".Work.2024/maildirfolder"));
	assert_true(exists(".Work.2024/tmp"));
	assert_string_equal(list("", "*", U),
	    "INBOX(c) Entw\xc3\xbcrfe(n) INBOX/Sub(n) Sent(cS) Sent/Old(n) "
	    "Trash(nT) Work(cx) Work/2024(n) a(cx) a/b(cx) a/b/c(n)");
	assert_string_equal(list("", "%", U),
	    "INBOX(c) Entw\xc3\xbcrfe(n) Sent(cS) Trash(nT) Work(cx) a(cx)");
	assert_string_equal(list("", "%", 0),
	    "INBOX(c) Entw&APw-rfe(n) Sent(cS) Trash(nT) Work(cx) a(cx)");
	assert_string_equal(list("Work/", "%", U), "Work/2024(n)");
	assert_string_equal(list("a/", "*", U), "a/b(cx) a/b/c(n)");
	assert_string_equal(list("", "a/%/c", U), "a/b/c(n)");
	assert_string_equal(list("", "inbox*", U), "INBOX(c) INBOX/Sub(n)");
	assert_string_equal(list("", "Entw&APw-*", 0), "Entw&APw-rfe(n)");
	assert_string_equal(list("", "nothing", U), "");
	/* Subscriptions: an attribute in LIST; with FOLDER_LIST_SUBSCRIBED
	 * the subscribed names alone, \NonExistent when not there. */
	assert_int_equal(folder_subscribe(mdir, "Sent", U, err), 1);
	assert_int_equal(folder_subscribe(mdir, "Gone", U, err), 1);
	assert_int_equal(folder_subscribe(mdir, "a", U, err), 1);
	assert_string_equal(list("", "%", U),
	    "INBOX(c) Entw\xc3\xbcrfe(n) Sent(csS) Trash(nT) Work(cx) "
	    "a(cxs)");
	assert_string_equal(list("", "*", U | FOLDER_LIST_SUBSCRIBED),
	    "Gone(nxs) Sent(csS) a(cxs)");
	/* A pattern too long */
	{
		char p[FOLDER_PATTERN_MAX + 2];
		struct folder_set set;

		memset(p, '%', sizeof(p) - 1);
		p[sizeof(p) - 1] = 0;
		assert_int_equal(folder_list(mdir, "", p, U, &set, err),
		    FOLDER_BADNAME);
	}
}

/* Put a message into the folder directory rel's sub. */
static void
put_msg(const char *rel, const char *sub, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/%s", rel, sub, name);
	put(path, "Subject: x\n\nbody\n");
}

static void
test_create_delete(void **state)
{
	(void)state;
	create_ok("Work", U);
	assert_int_equal(folder_create(mdir, "Work", U, err), FOLDER_EXISTS);
	assert_int_equal(folder_create(mdir, "inbox", U, err), FOLDER_EXISTS);
	assert_int_equal(folder_create(mdir, "a.b", U, err), FOLDER_BADNAME);
	/* RFC 3501 6.3.3: a separator at the end. */
	create_ok("Plans/", U);
	assert_true(exists(".Plans/cur"));
	/* A directory half made (no cur/) is completed. */
	mkdir_rel(".Half");
	create_ok("Half", U);
	assert_true(exists(".Half/new"));
	create_ok("Work/Old", U);
	put_msg(".Work", "cur", "1.M1P1.h:2,S");
	put_msg(".Work", "new", "2.M2P2.h");
	put(".Work/dovecot-uidlist", "3 V1 N3\n1 :1.M1P1.h\n");
	mkdir_rel(".Work/sub");
	mkdir_rel(".Work/sub/deeper");
	put(".Work/sub/deeper/f", "x");
	assert_int_equal(folder_delete(mdir, "INBOX", U, err), FOLDER_CANNOT);
	assert_int_equal(folder_delete(mdir, "nope", U, err),
	    FOLDER_NONEXISTENT);
	assert_int_equal(folder_delete(mdir, "Work/", U, err), FOLDER_BADNAME);
	assert_int_equal(folder_delete(mdir, "Work", U, err), 0);
	assert_false(exists(".Work"));
	/* RFC 9051 6.3.5: the inferiors stay; Work is now implicit. */
	assert_true(exists(".Work.Old/cur"));
	assert_string_equal(list("", "Work*", U), "Work(cx) Work/Old(n)");
	/* An implicit parent cannot be deleted. */
	assert_int_equal(folder_delete(mdir, "Work", U, err),
	    FOLDER_NONEXISTENT);
	/* Nothing left in the Maildir from the delete; a leftover of a
	 * crash is swept by the next one. */
	mkdir_rel("tern-trashed.1");
	mkdir_rel("tern-trashed.1/cur");
	put("tern-trashed.1/cur/m", "x");
	assert_int_equal(folder_delete(mdir, "Plans", U, err), 0);
	assert_false(exists("tern-trashed.1"));
	{
		struct dirent *e;
		DIR *d = opendir(mdir);

		assert_non_null(d);
		while ((e = readdir(d)) != NULL)
			assert_true(strncmp(e->d_name, "tern-", 5) != 0);
		closedir(d);
	}
	/* A symbolic link inside is removed, not followed. */
	create_ok("Links", U);
	{
		char target[PATH_MAX], link_path[PATH_MAX];

		snprintf(target, sizeof(target), "%s/.Half", mdir);
		snprintf(link_path, sizeof(link_path), "%s/.Links/cur/l", mdir);
		assert_int_equal(symlink(target, link_path), 0);
	}
	assert_int_equal(folder_delete(mdir, "Links", U, err), 0);
	assert_true(exists(".Half/cur"));
	/* A folder that is a symbolic link: the link goes, not what it
	 * points to. */
	mkdir_rel("elsewhere");
	mkdir_rel("elsewhere/cur");
	put("elsewhere/cur/m", "x");
	{
		char target[PATH_MAX], link_path[PATH_MAX];

		snprintf(target, sizeof(target), "%s/elsewhere", mdir);
		snprintf(link_path, sizeof(link_path), "%s/.Linked", mdir);
		assert_int_equal(symlink(target, link_path), 0);
	}
	assert_string_equal(list("", "L*", U), "Linked(n)");
	assert_int_equal(folder_delete(mdir, "Linked", U, err), 0);
	assert_false(exists(".Linked"));
	assert_true(exists("elsewhere/cur/m"));
	/* A file is no folder. */
	put(".plain", "");
	assert_int_equal(folder_delete(mdir, "plain", U, err),
	    FOLDER_NONEXISTENT);
}

static void
test_rename(void **state)
{
	(void)state;
	create_ok("a", U);
	create_ok("a/b", U);
	create_ok("a/b/c", U);
	create_ok("x", U);
	create_ok("y/z", U);
	put_msg(".a", "cur", "1.M1P1.h:2,S");
	assert_int_equal(folder_rename(mdir, "a", "x", U, err), FOLDER_EXISTS);
	assert_int_equal(folder_rename(mdir, "a", "INBOX", U, err),
	    FOLDER_EXISTS);
	assert_int_equal(folder_rename(mdir, "a", "a/b/new", U, err),
	    FOLDER_CANNOT);
	assert_int_equal(folder_rename(mdir, "a", "a", U, err), FOLDER_EXISTS);
	assert_int_equal(folder_rename(mdir, "nope", "q", U, err),
	    FOLDER_NONEXISTENT);
	assert_int_equal(folder_rename(mdir, "a", "q.r", U, err),
	    FOLDER_BADNAME);
	/* RFC 9051 6.3.6: inferiors follow. "ab" is not an inferior. */
	create_ok("ab", U);
	assert_int_equal(folder_rename(mdir, "a", "n/m", U, err), 0);
	assert_string_equal(list("", "*", U),
	    "INBOX(n) ab(n) n(cx) n/m(c) n/m/b(c) n/m/b/c(n) x(n) y(cx) "
	    "y/z(n)");
	assert_true(exists(".n.m/cur/1.M1P1.h:2,S"));
	/* An implicit parent renames its inferiors. */
	assert_int_equal(folder_rename(mdir, "y", "w", U, err), 0);
	assert_true(exists(".w.z/cur"));
	assert_false(exists(".y.z"));
	/* An inferior's new name taken: nothing is renamed. */
	create_ok("k/b", U);
	create_ok("j/b", U);
	assert_int_equal(folder_rename(mdir, "k", "j", U, err), FOLDER_EXISTS);
	assert_true(exists(".k.b"));
	/* Names in modified UTF-7 */
	assert_int_equal(folder_rename(mdir, "x", "Entw&APw-rfe", 0, err), 0);
	assert_true(exists(".Entw&APw-rfe/cur"));
	/* An inferior whose new storage name would not fit a directory
	 * name: refused before anything moves. */
	{
		char deep[FOLDER_STORAGE_MAX + 1], rel[FOLDER_STORAGE_MAX + 2];

		memset(deep, 'd', sizeof(deep));
		memcpy(deep, "s/", 2);
		deep[FOLDER_STORAGE_MAX] = 0;
		create_ok(deep, U);
		assert_int_equal(folder_rename(mdir, "s", "longer", U, err),
		    FOLDER_BADNAME);
		snprintf(rel, sizeof(rel), ".s.%s", deep + 2);
		assert_true(exists(rel));
		assert_false(exists(".longer"));
	}
}

static void
test_rename_inbox(void **state)
{
	char kw[PATH_MAX];

	(void)state;
	create_ok("INBOX/Child", U);
	put_msg(".", "new", "1.M1P1.h");
	put_msg(".", "cur", "2.M2P2.h:2,Sa");
	put("dovecot-keywords", "0 $Important\n");
	create_ok("Old", U);
	assert_int_equal(folder_rename(mdir, "inbox", "Old", U, err),
	    FOLDER_EXISTS);
	assert_int_equal(folder_rename(mdir, "INBOX", "Saved/2024", U, err), 0);
	assert_true(exists(".Saved.2024/new/1.M1P1.h"));
	assert_true(exists(".Saved.2024/cur/2.M2P2.h:2,Sa"));
	assert_true(exists(".Saved.2024/maildirfolder"));
	assert_false(exists("new/1.M1P1.h"));
	assert_false(exists("cur/2.M2P2.h:2,Sa"));
	snprintf(kw, sizeof(kw), ".Saved.2024/%s", MFLAG_KEYWORDS_FILE);
	assert_string_equal(get(kw), "0 $Important\n");
	/* INBOX stays, with its inferiors. */
	assert_true(exists("cur"));
	assert_true(exists(".INBOX.Child/cur"));
	assert_string_equal(list("", "*", U),
	    "INBOX(c) INBOX/Child(n) Old(n) Saved(cx) Saved/2024(n)");
}

static void
test_subscriptions(void **state)
{
	struct folder_set set;

	(void)state;
	/* No Maildir yet: made for the file. */
	assert_int_equal(folder_subscribe(mdir, "Early", U, err), 1);
	assert_string_equal(get("subscriptions"), "V\t2\n\nEarly\n");
	/* A file as Dovecot 2.3 writes it, with an entry that is no valid
	 * name, an escape, and an empty line. */
	put("subscriptions",
	    "V\t2\n\nINBOX\nWork\t2024\nEntw&APw-rfe\n"
	    "bad\t\tname\nTab\001tbed\n\nTrailing\t\nINBOX\n");
	assert_int_equal(folder_subscriptions(mdir, U, &set, err), 0);
	assert_int_equal(set.count, 4);
	assert_string_equal(set.items[0].name, "INBOX");
	assert_string_equal(set.items[1].name, "Work/2024");
	assert_string_equal(set.items[2].name, "Entw\xc3\xbcrfe");
	assert_string_equal(set.items[3].name, "Trailing");
	assert_int_equal(set.items[0].attrs, FOLDER_SUBSCRIBED);
	folder_set_free(&set);
	assert_int_equal(folder_subscriptions(mdir, 0, &set, err), 0);
	assert_string_equal(set.items[2].name, "Entw&APw-rfe");
	folder_set_free(&set);
	/* Subscribing keeps the other lines as they were. */
	assert_int_equal(folder_subscribe(mdir, "Sent/2024", U, err), 1);
	assert_string_equal(get("subscriptions"),
	    "V\t2\n\nINBOX\nWork\t2024\nEntw&APw-rfe\nbad\t\tname\n"
	    "Tab\001tbed\n\nTrailing\t\nINBOX\nSent\t2024\n");
	assert_int_equal(folder_subscribe(mdir, "Sent/2024", U, err), 0);
	assert_int_equal(folder_subscribe(mdir, "entw&APw-rfe", 0, err), 1);
	assert_int_equal(folder_unsubscribe(mdir, "Work/2024", U, err), 1);
	assert_int_equal(folder_unsubscribe(mdir, "Work/2024", U, err), 0);
	assert_int_equal(folder_unsubscribe(mdir, "inbox", U, err), 1);
	assert_int_equal(folder_unsubscribe(mdir, "Entw\xc3\xbcrfe", U, err),
	    1);
	assert_string_equal(get("subscriptions"),
	    "V\t2\n\nbad\t\tname\nTab\001tbed\n\nTrailing\t\n"
	    "Sent\t2024\nentw&APw-rfe\n");
	assert_int_equal(folder_subscribe(mdir, "a.b", U, err), FOLDER_BADNAME);
	assert_false(exists(FOLDER_SUBS_LOCK));
	/* Version 1 (no header): storage names as they are; rewritten as
	 * version 2. */
	put("subscriptions", "INBOX\nWork.2024\nOld.\n");
	assert_int_equal(folder_subscriptions(mdir, U, &set, err), 0);
	assert_int_equal(set.count, 3);
	assert_string_equal(set.items[1].name, "Work/2024");
	assert_string_equal(set.items[2].name, "Old");
	folder_set_free(&set);
	assert_int_equal(folder_subscribe(mdir, "X", U, err), 1);
	assert_string_equal(get("subscriptions"),
	    "V\t2\n\nINBOX\nWork\t2024\nOld\t\nX\n");
	/* A stale lock (a crash) is taken over. */
	{
		struct timespec old[2] = { { time(NULL) - 100, 0 },
			{ time(NULL) - 100, 0 } };
		char lock[PATH_MAX];

		put(FOLDER_SUBS_LOCK, "");
		snprintf(lock, sizeof(lock), "%s/%s", mdir, FOLDER_SUBS_LOCK);
		assert_int_equal(utimensat(AT_FDCWD, lock, old, 0), 0);
	}
	assert_int_equal(folder_subscribe(mdir, "Y", U, err), 1);
	assert_false(exists(FOLDER_SUBS_LOCK));
	/* A live lock (Dovecot writing): given up after FOLDER_SUBS_WAIT
	 * seconds, the file and the other's lock left as they were. */
	put(FOLDER_SUBS_LOCK, "");
	assert_int_equal(folder_subscribe(mdir, "Z", U, err), FOLDER_ERROR);
	assert_true(exists(FOLDER_SUBS_LOCK));
	assert_string_equal(get("subscriptions"),
	    "V\t2\n\nINBOX\nWork\t2024\nOld\t\nX\nY\n");
	{
		char lock[PATH_MAX];

		snprintf(lock, sizeof(lock), "%s/%s", mdir, FOLDER_SUBS_LOCK);
		assert_int_equal(unlink(lock), 0);
	}
	/* No file: no subscriptions. */
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/subscriptions", mdir);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(folder_subscriptions(mdir, U, &set, err), 0);
	assert_int_equal(set.count, 0);
	folder_set_free(&set);
}

/* The file cut at every byte reads without failing, never giving a
 * name that is not a prefix of one of its lines; but a
 * cut header is no header, and then its "V" a name (as Dovecot reads
 * it: the file is only ever replaced whole, so this is no loss). */
static void
test_subscriptions_cut(void **state)
{
	static const char text[] =
	    "V\t2\n\nINBOX\nWork\t2024\nEntw&APw-rfe\nTab\001tbed\n";
	static const char *const lines[] = { "INBOX", "Work/2024",
		"Entw&APw-rfe", "Tab", "V" };
	char cut[sizeof(text)];
	struct folder_set set;

	(void)state;
	assert_int_equal(mkdir(mdir, 0700), 0);
	for (size_t n = 0; n < sizeof(text); n++) {
		memcpy(cut, text, n);
		cut[n] = 0;
		put("subscriptions", cut);
		assert_int_equal(folder_subscriptions(mdir, 0, &set, err), 0);
		for (size_t i = 0; i < set.count; i++) {
			size_t k, len = strlen(set.items[i].name);

			for (k = 0; k < 5; k++)
				if (strncmp(set.items[i].name, lines[k], len) ==
				    0)
					break;
			if (k == 5 || (k == 4 && n >= strlen("V\t2\n\n")))
				fail_msg("cut %zu: %s", n, set.items[i].name);
		}
		folder_set_free(&set);
	}
}

static void
test_defaults(void **state)
{
	(void)state;
	assert_int_equal(folder_make_defaults(mdir, err), 1);
	assert_string_equal(list("", "*", U),
	    "INBOX(ns) Archive(nsA) Drafts(nsD) Junk(nsJ) Sent(nsS) "
	    "Trash(nsT)");
	assert_true(exists(".Sent/maildirfolder"));
	assert_string_equal(get("subscriptions"),
	    "V\t2\n\nINBOX\nSent\nDrafts\nTrash\nJunk\nArchive\n");
	/* Idempotent: the second login changes nothing. */
	assert_int_equal(folder_unsubscribe(mdir, "Junk", U, err), 1);
	assert_int_equal(folder_delete(mdir, "Archive", U, err), 0);
	assert_int_equal(folder_make_defaults(mdir, err), 0);
	assert_false(exists(".Archive"));
	assert_int_equal(folder_make_defaults(mdir, err), 0);
	/* What a crash may leave of a default folder (made without fsyncs):
	 * its directory without cur/ new/ tmp/. CREATE completes it. */
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path),
		    "rm -r '%s/.Trash/cur' "
		    "'%s/.Trash/new' '%s/.Trash/tmp'",
		    mdir, mdir, mdir);
		assert_int_equal(system(path), 0);
		create_ok("Trash", U);
		assert_true(exists(".Trash/cur"));
		assert_true(exists(".Trash/tmp"));
		assert_int_equal(folder_create(mdir, "Trash", U, err),
		    FOLDER_EXISTS);
	}
}

/* More than FOLDER_COUNT_MAX folders: LIST fails, nothing grows
 * without bound. */
static void
test_too_many(void **state)
{
	struct folder_set set;
	char rel[64];

	(void)state;
	create_ok("first", U);
	for (int i = 0; i <= FOLDER_COUNT_MAX; i++) {
		snprintf(rel, sizeof(rel), ".f%d", i);
		mkdir_rel(rel);
		snprintf(rel, sizeof(rel), ".f%d/cur", i);
		mkdir_rel(rel);
	}
	assert_int_equal(folder_list(mdir, "", "*", U, &set, err),
	    FOLDER_ERROR);
	assert_null(set.items);
	assert_int_equal(set.count, 0);
}

/* A Maildir that has folders (a user of Dovecot before) but no
 * subscriptions file gets nothing. */
static void
test_defaults_existing(void **state)
{
	(void)state;
	create_ok("Mine", U);
	assert_int_equal(folder_make_defaults(mdir, err), 0);
	assert_false(exists(".Sent"));
	assert_false(exists("subscriptions"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_delete, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_inbox, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_subscriptions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_subscriptions_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_existing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
