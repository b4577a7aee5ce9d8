/* SPDX-License-Identifier: MIT */
/* imap_search_result - the matches of a search as a sorted list, rendered
 * as "* SEARCH" or "* ESEARCH" (RFC 4731), and RFC 5182's saved result.
 * See imap_search.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mail/imap_search.h"
#include "util/buf.h"
#include "util/mem.h"

#define SEQLIST_MIN_CAP 64

void
imap_seqlist_init(struct imap_seqlist *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	l->max = max;
}

void
imap_seqlist_deinit(struct imap_seqlist *l)
{
	xfree(l->nums);
	memset(l, 0, sizeof(*l));
}

void
imap_seqlist_reset(struct imap_seqlist *l)
{
	l->count = 0;
}

/* Where n is or would go: the first index whose number is >= n. */
static size_t
lower_bound(const struct imap_seqlist *l, uint32_t n)
{
	size_t lo = 0, hi = l->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->nums[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
imap_seqlist_add(struct imap_seqlist *l, uint32_t n)
{
	size_t at;

	if (l->count > 0 && l->nums[l->count - 1] < n)
		at = l->count; /* the usual case: ascending */
	else {
		at = lower_bound(l, n);
		if (at < l->count && l->nums[at] == n)
			return 0;
	}
	if (l->count >= l->max)
		return -1;
	if (l->count == l->cap) {
		size_t cap =
		    l->cap < SEQLIST_MIN_CAP ? SEQLIST_MIN_CAP : l->cap;

		/* UNSAFE: doubling stays within max (cap * 2 cannot overflow:
		 * max numbers of 4 bytes each fit in memory). */
		if (cap == l->cap)
			cap *= 2;
		if (cap > l->max)
			cap = l->max;
		l->nums = xrealloc(l->nums, cap * sizeof(*l->nums));
		l->cap = cap;
	}
	memmove(l->nums + at + 1, l->nums + at,
	    (l->count - at) * sizeof(*l->nums));
	l->nums[at] = n;
	l->count++;
	return 0;
}

int
imap_seqlist_contains(const struct imap_seqlist *l, uint32_t n)
{
	size_t at = lower_bound(l, n);

	return at < l->count && l->nums[at] == n;
}

int
imap_seqlist_render(const struct imap_seqlist *l, struct buf *out)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < l->count && rc == 0; i = j + 1) {
		/* A run of consecutive numbers i..j becomes "a:b". */
		for (j = i;
		     j + 1 < l->count && l->nums[j + 1] == l->nums[j] + 1; j++)
			;
		if (i > 0)
			rc = buf_putc(out, ',');
		if (rc == 0 && j == i)
			rc = buf_printf(out, "%u", l->nums[i]);
		else if (rc == 0)
			rc = buf_printf(out, "%u:%u", l->nums[i], l->nums[j]);
	}
	return rc;
}

/* "* SEARCH n n n" (RFC 3501 7.2.5). */
static int
render_search(const struct imap_seqlist *res, struct buf *out)
{
	size_t i;
	int rc = buf_puts(out, "* SEARCH");

	for (i = 0; i < res->count && rc == 0; i++)
		rc = buf_printf(out, " %u", res->nums[i]);
	return rc == 0 ? buf_puts(out, "\r\n") : rc;
}

/* The tag as a quoted string (a tag holds no quoted-specials, RFC 3501 9,
 * but a bad one must not break the response). */
static int
render_tag(const char *tag, struct buf *out)
{
	int rc = buf_puts(out, " (TAG \"");

	for (; *tag != 0 && rc == 0; tag++) {
		if (*tag == '"' || *tag == '\\')
			rc = buf_putc(out, '\\');
		if (rc == 0)
			rc = buf_putc(out, *tag);
	}
	return rc == 0 ? buf_puts(out, "\")") : rc;
}

/* "* ESEARCH (TAG "t") [UID] MIN a MAX b COUNT n ALL set", RFC 4731
 * 3.1: MIN, MAX and ALL only when something matched. */
static int
render_esearch(unsigned ret, const char *tag, unsigned flags,
    const struct imap_seqlist *res, struct buf *out)
{
	int rc = buf_puts(out, "* ESEARCH");

	if (rc == 0)
		rc = render_tag(tag, out);
	if (rc == 0 && (flags & IMAP_SEARCH_RENDER_UID))
		rc = buf_puts(out, " UID");
	if (rc == 0 && (ret & IMAP_SEARCH_RET_MIN) && res->count > 0)
		rc = buf_printf(out, " MIN %u", res->nums[0]);
	if (rc == 0 && (ret & IMAP_SEARCH_RET_MAX) && res->count > 0)
		rc = buf_printf(out, " MAX %u", res->nums[res->count - 1]);
	if (rc == 0 && (ret & IMAP_SEARCH_RET_COUNT))
		rc = buf_printf(out, " COUNT %zu", res->count);
	if (rc == 0 && (ret & IMAP_SEARCH_RET_ALL) && res->count > 0) {
		rc = buf_puts(out, " ALL ");
		if (rc == 0)
			rc = imap_seqlist_render(res, out);
	}
	return rc == 0 ? buf_puts(out, "\r\n") : rc;
}

int
imap_search_render(const struct imap_search *s, const char *tag, unsigned flags,
    const struct imap_seqlist *res, struct buf *out)
{
	unsigned ret = imap_search_return(s);

	if (ret == 0 && !(flags & IMAP_SEARCH_RENDER_REV2))
		return render_search(res, out);
	if (ret == 0)
		ret = IMAP_SEARCH_RET_ALL;
	if (ret == IMAP_SEARCH_RET_SAVE)
		return 0; /* RFC 5182 2.4: SAVE alone answers nothing */
	return render_esearch(ret, tag, flags, res, out);
}

int
imap_search_save(const struct imap_search *s, const struct imap_seqlist *uids,
    struct imap_seqlist *saved)
{
	unsigned ret = imap_search_return(s);
	size_t i;

	imap_seqlist_reset(saved);
	if (uids->count == 0)
		return 0;
	if ((ret & (IMAP_SEARCH_RET_MIN | IMAP_SEARCH_RET_MAX)) != 0 &&
	    (ret & (IMAP_SEARCH_RET_ALL | IMAP_SEARCH_RET_COUNT)) == 0) {
		if ((ret & IMAP_SEARCH_RET_MIN) &&
		    imap_seqlist_add(saved, uids->nums[0]) < 0)
			return -1;
		if ((ret & IMAP_SEARCH_RET_MAX) &&
		    imap_seqlist_add(saved, uids->nums[uids->count - 1]) < 0)
			return -1;
		return 0;
	}
	for (i = 0; i < uids->count; i++)
		if (imap_seqlist_add(saved, uids->nums[i]) < 0)
			return -1;
	return 0;
}
