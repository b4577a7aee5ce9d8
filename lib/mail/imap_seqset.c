/* SPDX-License-Identifier: MIT */
/* imap_seqset - IMAP sequence sets (RFC 3501 9 sequence-set, RFC 5182
 * "$"): parsing, resolving "*", membership. See imap_parse.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/imap_parse.h"
#include "util/mem.h"

/* --- sequence sets --- */

/* One seq-number at s[*ip]: "*" (IMAP_SEQ_STAR) or an nz-number that fits
 * in 32 bits. Returns 0 or -1. */
static int
seq_number(const char *s, size_t n, size_t *ip, uint32_t *num_r)
{
	size_t i = *ip;
	uint64_t v = 0;

	if (i < n && s[i] == '*') {
		*num_r = IMAP_SEQ_STAR;
		*ip = i + 1;
		return 0;
	}
	if (i >= n || s[i] < '1' || s[i] > '9')
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -1;
		i++;
	}
	*num_r = (uint32_t)v;
	*ip = i;
	return 0;
}

/* As imap_parse.h says; linear in n. */
long
imap_seqset_scan(const char *s, size_t n, struct imap_seq_range *out)
{
	size_t i = 0;
	long count = 0;
	uint32_t a, b;

	for (;;) {
		if (seq_number(s, n, &i, &a) < 0)
			return -1;
		b = a;
		if (i < n && s[i] == ':') {
			i++;
			if (seq_number(s, n, &i, &b) < 0)
				return -1;
		}
		if (out != NULL) {
			out[count].first = a;
			out[count].last = b;
		}
		count++;
		if (i == n)
			return count;
		if (s[i] != ',')
			return -1;
		i++;
	}
}

struct imap_seqset *
imap_seqset_parse(const char *s, size_t len, unsigned ranges_max,
    const char **error_r)
{
	struct imap_seqset *set;
	long count;

	if (len == 1 && s[0] == '$') {
		set = xmalloc(sizeof(*set));
		set->saved = 1;
		return set;
	}
	if ((count = imap_seqset_scan(s, len, NULL)) < 0) {
		*error_r = "invalid sequence set";
		return NULL;
	}
	if ((unsigned long)count > ranges_max) {
		*error_r = "too many ranges in sequence set";
		return NULL;
	}
	set = xmalloc(sizeof(*set));
	set->count = (unsigned)count;
	set->ranges = xcalloc((size_t)count, sizeof(*set->ranges));
	(void)imap_seqset_scan(s, len, set->ranges);
	return set;
}

void
imap_seqset_free(struct imap_seqset **setp)
{
	if (*setp == NULL)
		return;
	xfree((*setp)->ranges);
	xfree(*setp);
	*setp = NULL;
}

static void
resolve_one(const struct imap_seq_range *r, uint32_t max,
    struct imap_seq_range *out)
{
	uint32_t a = r->first == IMAP_SEQ_STAR ? max : r->first;
	uint32_t b = r->last == IMAP_SEQ_STAR ? max : r->last;

	out->first = a < b ? a : b;
	out->last = a < b ? b : a;
}

static int
range_cmp(const void *x, const void *y)
{
	const struct imap_seq_range *a = x, *b = y;

	return a->first < b->first ? -1 : a->first > b->first;
}

unsigned
imap_seqset_resolve(const struct imap_seqset *set, uint32_t max,
    struct imap_seq_range *out)
{
	unsigned i, n = 0;

	if (set->saved || set->count == 0)
		return 0;
	for (i = 0; i < set->count; i++)
		resolve_one(&set->ranges[i], max, &out[i]);
	qsort(out, set->count, sizeof(*out), range_cmp);
	for (i = 1; i < set->count; i++) {
		/* Merge overlapping or adjacent (64 bits: last + 1). */
		if ((uint64_t)out[i].first <= (uint64_t)out[n].last + 1) {
			if (out[i].last > out[n].last)
				out[n].last = out[i].last;
		} else
			out[++n] = out[i];
	}
	return n + 1;
}

int
imap_seqset_contains(const struct imap_seqset *set, uint32_t n, uint32_t max)
{
	struct imap_seq_range r;
	unsigned i;

	if (set->saved)
		return 0;
	for (i = 0; i < set->count; i++) {
		resolve_one(&set->ranges[i], max, &r);
		if (n >= r.first && n <= r.last)
			return 1;
	}
	return 0;
}
