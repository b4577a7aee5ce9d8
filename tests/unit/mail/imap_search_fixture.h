/* imap_search_fixture - what imap_search_test and
 * imap_search_result_test share: SEARCH arguments fed through imap_parse
 * and compiled, as a server does. Include after cmocka.h; test code only. */
#ifndef TERN_TEST_IMAP_SEARCH_FIXTURE_H
#define TERN_TEST_IMAP_SEARCH_FIXTURE_H

#include <string.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "util/buf.h"

#define ERR_MAX 1024
#define OUT_MAX (1024 * 1024)

/* --- compiling through the parser --- */

/* Feed "a SEARCH <args>\r\n" (or a whole line when it starts with a tag
 * given in full) to a parser and compile the command's arguments ("UID
 * SEARCH" skips its first). Returns what imap_search_compile() did. */
static __attribute__((unused)) int
compile_lim(const char *args, const struct imap_search_limits *lim,
    struct imap_search **s_r, struct buf *err)
{
	struct imap_parser_limits plim = { .utf8 = 1 };
	struct imap_parser *p = imap_parser_create(&plim);
	const struct imap_command *cmd;
	const struct imap_arg *a;
	struct buf line;
	size_t off = 0, used;
	int rc;

	buf_init(&line, OUT_MAX);
	if (strncmp(args, "a ", 2) == 0)
		assert_int_equal(buf_printf(&line, "%s\r\n", args), 0);
	else
		assert_int_equal(buf_printf(&line, "a SEARCH %s\r\n", args), 0);
	for (;;) {
		rc =
		    imap_parser_feed(p, line.data + off, line.len - off, &used);
		off += used;
		if (rc == IMAP_PARSE_COMMAND)
			break;
		if (rc != IMAP_PARSE_CONTINUE)
			fail_msg("parser said %d (%s) for %s", rc,
			    imap_parser_error(p), args);
	}
	cmd = imap_parser_command(p);
	a = cmd->args;
	if (strcmp(cmd->name, "UID") == 0)
		a = a->next;
	rc = imap_search_compile(a, lim, s_r, err);
	/* The search must not point into the parser. */
	imap_parser_destroy(&p);
	buf_deinit(&line);
	return rc;
}

static __attribute__((unused)) int
compile(const char *args, struct imap_search **s_r, struct buf *err)
{
	return compile_lim(args, NULL, s_r, err);
}

#endif
