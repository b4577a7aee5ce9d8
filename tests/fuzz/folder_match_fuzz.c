/* SPDX-License-Identifier: MIT */
/* folder_match_fuzz - LIST patterns and mailbox names on arbitrary
 * bytes. The input is a pattern, a NUL, a name. folder_match agrees with
 * a plain recursive matcher (run only on short inputs, where its
 * backtracking stays cheap); a name that folder_storage_name accepts
 * (UTF-8 and modified UTF-7) comes back from folder_imap_name as a name
 * with the same storage name, and matches itself and "*". */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "store/folder.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The recursive matcher runs on patterns and names up to this long. */
#define REFERENCE_MAX 24

/* The recursive matcher's memory: memo[i][j] is 0 or 1 once pattern
 * suffix i against name suffix j is known, else -1 (without it a
 * pattern of many "*" takes exponential time). */
static signed char memo[REFERENCE_MAX + 1][REFERENCE_MAX + 1];
static const char *ref_p, *ref_n;
static size_t ref_fold;

/* RFC 9051 6.3.9, the obvious way: does pattern suffix i match name
 * suffix j? The name's first ref_fold characters (its first level
 * INBOX) compare without case. */
static int
reference(size_t i, size_t j)
{
	const char *p = ref_p + i, *n = ref_n + j;
	int r;

	if (memo[i][j] >= 0)
		return memo[i][j];
	if (*p == 0)
		r = *n == 0;
	else if (*p == '*' || *p == '%') {
		r = reference(i + 1, j) ||
		    (*n != 0 && !(*p == '%' && *n == '/') &&
			reference(i, j + 1));
	} else if (*n == 0)
		r = 0;
	else if (j < ref_fold ? strncasecmp(p, n, 1) != 0 : *p != *n)
		r = 0;
	else
		r = reference(i + 1, j + 1);
	memo[i][j] = (signed char)r;
	return r;
}

static void
check_name(const char *name, int flags)
{
	struct buf *s1 = buf_create(4096), *s2 = buf_create(4096),
		   *imap = buf_create(4096);

	if (folder_storage_name(name, flags, s1, NULL) == 0) {
		if (folder_imap_name(s1->data, flags, imap, NULL) != 0 ||
		    folder_storage_name(imap->data, flags, s2, NULL) != 0 ||
		    strcmp(s1->data, s2->data) != 0 ||
		    s1->len > FOLDER_STORAGE_MAX ||
		    !folder_match(imap->data, imap->data) ||
		    !folder_match("*", imap->data))
			__builtin_trap();
	}
	buf_destroy(&s1);
	buf_destroy(&s2);
	buf_destroy(&imap);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pattern[FOLDER_PATTERN_MAX + 1], name[FOLDER_NAME_MAX + 1];
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen, nlen;
	int got;

	if (nul == NULL)
		return 0;
	plen = (size_t)(nul - data);
	nlen = size - plen - 1;
	if (plen > FOLDER_PATTERN_MAX || nlen > FOLDER_NAME_MAX ||
	    memchr(nul + 1, 0, nlen) != NULL)
		return 0;
	memcpy(pattern, data, plen);
	pattern[plen] = 0;
	memcpy(name, nul + 1, nlen);
	name[nlen] = 0;
	got = folder_match(pattern, name);
	if (plen <= REFERENCE_MAX && nlen <= REFERENCE_MAX) {
		size_t fold = strncmp(name, "INBOX", 5) == 0 &&
			(name[5] == 0 || name[5] == '/')
		    ? 5
		    : 0;

		memset(memo, -1, sizeof(memo));
		ref_p = pattern;
		ref_n = name;
		ref_fold = fold;
		if (got != reference(0, 0))
			__builtin_trap();
	}
	check_name(name, FOLDER_UTF8);
	check_name(name, 0);
	return 0;
}
