/* SPDX-License-Identifier: MIT */
/* log_test - line shapes on file and stderr, escaping, caps, fatal/panic. */
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/log.h"

static char tmpdir[256];
static char logpath[300];

static int
setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	if (base == NULL || *base == 0)
		base = "/tmp";
	if (snprintf(tmpdir, sizeof(tmpdir), "%s/log_test.XXXXXX", base) >=
		(int)sizeof(tmpdir) ||
	    mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/maillog", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	const char *error;

	(void)state;
	log_open_file("-", &error);
	unlink(logpath);
	rmdir(tmpdir);
	return 0;
}

/* Read the whole file at path into out (replacing its contents). */
static void
slurp(const char *path, struct buf *out)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	buf_reset(out);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(out, chunk, (size_t)n), 0);
	close(fd);
}

/* Start a fresh log file and point the module at it. */
static void
fresh_file(void)
{
	const char *error = NULL;

	unlink(logpath);
	assert_int_equal(log_open_file(logpath, &error), 0);
}

/* "Mmm dd hh:mm:ss host " as syslog writes it (day padded with a space,
 * host name without its domain). */
#define STAMP_RE                                              \
	"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) " \
	"[ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [^ .]+ "

/* Assert that text starts with a file stamp; return what follows it. */
static const char *
skip_stamp(const char *text)
{
	regmatch_t m[1];
	regex_t rx;
	int ret;

	assert_int_equal(regcomp(&rx, STAMP_RE, REG_EXTENDED), 0);
	ret = regexec(&rx, text, 1, m, 0);
	regfree(&rx);
	if (ret != 0)
		fail_msg("line \"%s\" has no syslog stamp", text);
	return text + m[0].rm_eo;
}

/* Number of newline characters in s. */
static size_t
count_lines(const char *s)
{
	size_t n = 0;

	while ((s = strchr(s, '\n')) != NULL) {
		n++;
		s++;
	}
	return n;
}

static void
test_file_line_shape(void **state)
{
	static const struct {
		int which; /* 0 info, 1 warn, 2 error, 3 debug */
		const char *severity;
		const char *text;
	} cases[] = {
		{ 0, "", "connect from localhost[127.0.0.1]" },
		{ 1, "warning: ", "text" },
		{ 2, "error: ", "queue file corrupt" },
		{ 3, "", "debug text" },
		{ 1, "warning: ", "" },
	};
	struct buf got, re;
	size_t i;

	(void)state;
	buf_init(&got, 1 << 20);
	buf_init(&re, 4096);
	log_init("/usr/libexec/tern/prog");
	log_verbose = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fresh_file();
		switch (cases[i].which) {
		case 0:
			log_info("%s", cases[i].text);
			break;
		case 1:
			log_warn("%s", cases[i].text);
			break;
		case 2:
			log_error("%s", cases[i].text);
			break;
		case 3:
			log_debug(1, "%s", cases[i].text);
			break;
		}
		slurp(logpath, &got);
		buf_reset(&re);
		buf_printf(&re, "tern/prog[%ld]: %s%s\n", (long)getpid(),
		    cases[i].severity, cases[i].text);
		assert_string_equal(skip_stamp(buf_cstr(&got)), buf_cstr(&re));
	}
	log_verbose = 0;
	buf_deinit(&got);
	buf_deinit(&re);
}

static void
test_file_appends(void **state)
{
	struct buf got;
	struct stat st;
	const char *error = NULL;

	(void)state;
	buf_init(&got, 1 << 20);
	log_init("prog");
	fresh_file();
	log_info("one");
	/* Reopening appends; it does not truncate. */
	assert_int_equal(log_open_file(logpath, &error), 0);
	log_info("two");
	slurp(logpath, &got);
	assert_non_null(strstr(buf_cstr(&got), "]: one\n"));
	assert_non_null(strstr(buf_cstr(&got), "]: two\n"));
	assert_int_equal(count_lines(buf_cstr(&got)), 2);
	assert_int_equal(stat(logpath, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0640, 0);
	buf_deinit(&got);
}

static void
test_debug_verbosity(void **state)
{
	struct buf got;

	(void)state;
	buf_init(&got, 1 << 20);
	log_init("prog");
	fresh_file();
	log_verbose = 0;
	log_debug(1, "hidden");
	log_verbose = 2;
	log_debug(2, "shown");
	log_debug(3, "hidden too");
	log_verbose = 0;
	slurp(logpath, &got);
	assert_null(strstr(buf_cstr(&got), "hidden"));
	assert_non_null(strstr(buf_cstr(&got), "]: shown\n"));
	buf_deinit(&got);
}

static void
test_stderr_shape(void **state)
{
	char path[400];
	struct buf got, re;
	const char *error = NULL;
	int saved, fd;

	(void)state;
	buf_init(&got, 1 << 20);
	buf_init(&re, 4096);
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	log_init("smtpd");
	/* Both spellings select stderr. */
	assert_int_equal(log_open_file("-", &error), 0);
	log_warn("text %d", 42);
	assert_int_equal(log_open_file("/dev/stderr", &error), 0);
	log_info("plain");
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	slurp(path, &got);
	unlink(path);
	buf_printf(&re,
	    "tern/smtpd[%ld]: warning: text 42\n"
	    "tern/smtpd[%ld]: plain\n",
	    (long)getpid(), (long)getpid());
	assert_string_equal(buf_cstr(&got), buf_cstr(&re));
	buf_deinit(&got);
	buf_deinit(&re);
}

static void
test_syslog_name(void **state)
{
	struct buf got, re;

	(void)state;
	buf_init(&got, 1 << 20);
	buf_init(&re, 4096);
	log_init("qmgr");
	fresh_file();
	log_set_syslog_name("postfix-out");
	log_info("after");
	log_set_syslog_name("tern");
	log_info("back");
	slurp(logpath, &got);
	assert_int_equal(count_lines(buf_cstr(&got)), 2);
	buf_printf(&re, "postfix-out/qmgr[%ld]: after\n", (long)getpid());
	assert_int_equal(strncmp(skip_stamp(buf_cstr(&got)), buf_cstr(&re),
			     buf_len(&re)),
	    0);
	buf_reset(&re);
	buf_printf(&re, "tern/qmgr[%ld]: back\n", (long)getpid());
	assert_string_equal(skip_stamp(strchr(buf_cstr(&got), '\n') + 1),
	    buf_cstr(&re));
	buf_deinit(&got);
	buf_deinit(&re);
}

static void
test_long_line_capped(void **state)
{
	static char big[10000];
	struct buf got;
	const char *nl;

	(void)state;
	buf_init(&got, 1 << 20);
	memset(big, 'x', sizeof(big) - 1);
	log_init("prog");
	fresh_file();
	log_info("%s", big);
	log_info("next");
	slurp(logpath, &got);
	/* The long text is cut, and the line still ends with its newline. */
	nl = strchr(buf_cstr(&got), '\n');
	assert_non_null(nl);
	assert_true(nl - buf_cstr(&got) < 4600);
	assert_true(nl - buf_cstr(&got) > 4000);
	assert_int_equal(nl[-1], 'x');
	assert_non_null(strstr(nl + 1, "]: next\n"));
	buf_deinit(&got);
}

static void
test_open_errors(void **state)
{
	char path[400];
	const char *error = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/log", tmpdir);
	assert_int_equal(log_open_file(path, &error), -1);
	assert_non_null(error);
	assert_true(*error != 0);
	error = NULL;
	assert_int_equal(log_open_syslog("no-such-facility", &error), -1);
	assert_string_equal(error, "unknown syslog facility");
	error = NULL;
	assert_int_equal(log_open(NULL, "bogus", &error), -1);
	assert_non_null(error);
	error = NULL;
	assert_int_equal(log_open("", "local9", &error), -1);
	assert_non_null(error);
	/* A non-empty file wins over the facility. */
	assert_int_equal(log_open(logpath, "bogus", &error), 0);
}

static void
test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		size_t max;
		const char *out;
	} cases[] = {
		{ "plain text ~!", 13, 100, "plain text ~!" },
		{ "", 0, 100, "" },
		{ "a\nb", 3, 100, "a\\012b" },
		{ "\r\n", 2, 100, "\\015\\012" },
		{ "tab\t", 4, 100, "tab\\011" },
		{ "nul\0x", 5, 100, "nul\\000x" },
		{ "back\\slash", 10, 100, "back\\134slash" },
		{ "\x1b[31m", 5, 100, "\\033[31m" },
		{ "\x7f", 1, 100, "\\177" },
		{ "\x80\xff", 2, 100, "\\200\\377" },
		{ "caf\xc3\xa9", 5, 100, "caf\\303\\251" },
		/* Cut at out's maximum, never inside an escape. */
		{ "abcdefghij", 10, 4, "abcd" },
		{ "\n\n\n", 3, 6, "\\012" },
		{ "\n\n\n", 3, 8, "\\012\\012" },
		{ "ab\n", 3, 5, "ab" },
		{ "ab\n", 3, 6, "ab\\012" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out;

		buf_init(&out, cases[i].max);
		log_escape(&out, cases[i].in, cases[i].n);
		assert_string_equal(buf_cstr(&out), cases[i].out);
		buf_deinit(&out);
	}
}

static void
test_escape_appends(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 100);
	buf_puts(&out, "peer=");
	log_escape(&out, "x\n", 2);
	assert_string_equal(buf_cstr(&out), "peer=x\\012");
	buf_deinit(&out);
}

static void
test_log_str(void **state)
{
	static char in[2000];
	const char *s;

	(void)state;
	assert_string_equal(log_str("hello"), "hello");
	assert_string_equal(log_str(""), "");
	assert_string_equal(log_str("a\\b\r"), "a\\134b\\015");
	/* Capped at 512 bytes. */
	memset(in, 'a', sizeof(in) - 1);
	s = log_str(in);
	assert_int_equal(strlen(s), 512);
	/* 128 escapes fill the cap exactly; the 129th is dropped whole. */
	memset(in, '\n', 129);
	in[129] = 0;
	s = log_str(in);
	assert_int_equal(strlen(s), 512);
	assert_int_equal(strncmp(s + 508, "\\012", 4), 0);
	memset(in, 0, sizeof(in));
	memset(in, 'b', 511);
	in[511] = '\n';
	s = log_str(in);
	assert_int_equal(strlen(s), 511);
	/* The buffer is reused: a short string after a long one. */
	assert_string_equal(log_str("x"), "x");
}

/* Several in one call each keep their own text (the reject line's
 * from=<sender> helo=<name> printed one of them twice). */
static void
test_log_str_several(void **state)
{
	const char *a, *b, *c, *d;
	char line[128];

	(void)state;
	a = log_str("sender@example.org");
	b = log_str("helo.example.net");
	c = log_str("c\n");
	d = log_str("d");
	snprintf(line, sizeof(line), "from=<%s> helo=<%s> %s %s", a, b, c, d);
	assert_string_equal(line,
	    "from=<sender@example.org> "
	    "helo=<helo.example.net> c\\012 d");
	/* A fifth call reuses the first buffer. */
	assert_string_equal(log_str("e"), "e");
	assert_string_equal(a, "e");
}

static int hook_calls;

static void
fatal_hook(void)
{
	hook_calls++;
	/* A fatal error inside the hook must not recurse into it. */
	log_fatal("inside hook, calls=%d", hook_calls);
}

enum death {
	DEATH_FATAL,
	DEATH_FATAL_HOOK,
	DEATH_PANIC,
};

/* Die in a child as told; return its wait status. */
static int
die_in_child(enum death how)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *error;

		log_init("dying");
		if (log_open_file(logpath, &error) < 0)
			_exit(99);
		switch (how) {
		case DEATH_FATAL:
			log_set_fatal_hook(NULL);
			log_fatal("config is %s", "bad");
			break;
		case DEATH_FATAL_HOOK:
			log_set_fatal_hook(fatal_hook);
			log_fatal("first");
			break;
		case DEATH_PANIC:
			log_panic("invariant %d", 7);
			break;
		}
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_fatal_and_panic(void **state)
{
	struct buf got;
	int status;

	(void)state;
	buf_init(&got, 1 << 20);
	unlink(logpath);
	status = die_in_child(DEATH_FATAL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	slurp(logpath, &got);
	assert_non_null(strstr(buf_cstr(&got), " tern/dying["));
	assert_non_null(strstr(buf_cstr(&got), "]: fatal: config is bad\n"));

	unlink(logpath);
	status = die_in_child(DEATH_FATAL_HOOK);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	slurp(logpath, &got);
	assert_non_null(strstr(buf_cstr(&got), "]: fatal: first\n"));
	assert_non_null(
	    strstr(buf_cstr(&got), "]: fatal: inside hook, calls=1\n"));

	unlink(logpath);
	status = die_in_child(DEATH_PANIC);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	slurp(logpath, &got);
	assert_non_null(strstr(buf_cstr(&got), "]: panic: invariant 7\n"));
	buf_deinit(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_line_shape),
		cmocka_unit_test(test_file_appends),
		cmocka_unit_test(test_debug_verbosity),
		cmocka_unit_test(test_stderr_shape),
		cmocka_unit_test(test_syslog_name),
		cmocka_unit_test(test_long_line_capped),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_appends),
		cmocka_unit_test(test_log_str),
		cmocka_unit_test(test_log_str_several),
		cmocka_unit_test(test_fatal_and_panic),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
