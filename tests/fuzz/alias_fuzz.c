/* SPDX-License-Identifier: MIT */
/* alias_fuzz - alias values (alias_parse) and aliases(5) sources
 * (alias_stream_read) on arbitrary text. Every item keeps the module's
 * promises (bounded, no control characters, absolute paths), a failed parse
 * leaves the list as it was, and every entry the reader hands out has a
 * lower-case name and a value that parses again. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mail/alias.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_items(const struct alias_items *items)
{
	size_t i;
	const unsigned char *p;

	if (items->n > ALIAS_ITEMS_MAX)
		__builtin_trap();
	for (i = 0; i < items->n; i++) {
		const struct alias_item *it = &items->v[i];
		size_t len = strlen(it->text);

		if (len == 0 || len > ALIAS_ITEM_MAX)
			__builtin_trap();
		if ((it->kind == ALIAS_FILE || it->kind == ALIAS_INCLUDE) &&
		    it->text[0] != '/')
			__builtin_trap();
		if (it->noexpand && it->kind != ALIAS_ADDR)
			__builtin_trap();
		for (p = (const unsigned char *)it->text; *p != 0; p++)
			if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
				__builtin_trap();
	}
}

static int
entry(void *ctx, const char *name, const char *value, const char *file,
    unsigned long lineno, char *err, size_t errlen)
{
	struct alias_items items = { NULL, 0, 0 };
	const char *p;
	int n;

	(void)ctx;
	(void)file;
	(void)lineno;
	if (*name == 0 || *value == 0)
		__builtin_trap();
	for (p = name; *p != 0; p++)
		if (*p >= 'A' && *p <= 'Z')
			__builtin_trap();
	n = alias_parse(value, &items, err, errlen);
	if (n <= 0)
		__builtin_trap();
	check_items(&items);
	alias_items_free(&items);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alias_items items = { NULL, 0, 0 };
	char *text = xstrndup((const char *)data, size), err[256];
	FILE *fp;
	int n;

	/* As a value: twice, to check appending and rollback. */
	n = alias_parse(text, &items, err, sizeof(err));
	if (n >= 0) {
		if ((size_t)n != items.n)
			__builtin_trap();
		check_items(&items);
		if (alias_parse(text, &items, err, sizeof(err)) < 0 &&
		    items.n != (size_t)n)
			__builtin_trap();
	} else if (items.n != 0 || err[0] == 0) {
		__builtin_trap();
	}
	alias_items_free(&items);

	/* As an aliases(5) source. */
	if (size > 0 && (fp = fmemopen((void *)data, size, "r")) != NULL) {
		(void)alias_stream_read(fp, "fuzz", entry, NULL, err,
		    sizeof(err));
		fclose(fp);
	}
	xfree(text);
	return 0;
}
