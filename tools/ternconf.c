/* SPDX-License-Identifier: MIT */
/* ternconf - show or edit main.cf parameters, like postconf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "util/buf.h"
#include "util/mem.h"

struct item {
	const char *name;
	const char *raw;
};

struct items {
	struct item *v;
	size_t n;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ternconf [-c dir] [-d] [-n] [-h] [-x] [name ...]\n"
	    "       ternconf [-c dir] -e name=value ...\n");
	exit(2);
}

static void
items_add(struct items *it, const char *name, const char *raw)
{
	it->v = xrealloc(it->v, (it->n + 1) * sizeof(*it->v));
	it->v[it->n].name = name;
	it->v[it->n].raw = raw;
	it->n++;
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name,
	    ((const struct item *)b)->name);
}

static void
print_warning(const char *msg, void *ctx)
{
	fprintf(stderr, "ternconf: warning: %s\n", msg);
}

static void
collect_set(const char *name, const char *raw, void *ctx)
{
	items_add(ctx, name, raw);
}

/* The value shown for a table row: the default with -d, else as set. */
static const char *
row_value(const struct param_def *p, int defaults)
{
	const char *raw;

	if (!defaults && (raw = config_raw(p->name)) != NULL)
		return raw;
	return defaults ? param_default(p) : config_default(p);
}

/* Print the items; returns 0, or 1 when an expansion failed. */
static int
print_items(const struct items *it, int expand, int value_only)
{
	struct buf out;
	const char *error;
	size_t i;
	int status = 0;

	buf_init(&out, CONFIG_VALUE_MAX);
	for (i = 0; i < it->n; i++) {
		const char *value = it->v[i].raw;

		if (expand) {
			buf_reset(&out);
			if (config_expand(value, &out, &error) < 0) {
				fprintf(stderr, "ternconf: %s: %s\n",
				    it->v[i].name, error);
				status = 1;
				continue;
			}
			value = buf_cstr(&out);
		}
		if (value_only)
			printf("%s\n", value);
		else if (*value == 0)
			printf("%s =\n", it->v[i].name);
		else
			printf("%s = %s\n", it->v[i].name, value);
	}
	buf_deinit(&out);
	return status;
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *error;
	int defaults = 0, nondefault = 0, value_only = 0, expand = 0;
	int edit = 0, status = 0, ch;
	struct items it = { NULL, 0 };
	size_t i;

	while ((ch = getopt(argc, argv, "c:dehnx")) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'd':
			defaults = 1;
			break;
		case 'e':
			edit = 1;
			break;
		case 'h':
			value_only = 1;
			break;
		case 'n':
			nondefault = 1;
			break;
		case 'x':
			expand = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (dir == NULL)
		dir = config_dir_default();
	if (defaults && nondefault)
		usage();

	if (edit) {
		if (argc == 0 || defaults || nondefault)
			usage();
		/* Check every name and value before anything is written.
		 * A value may refer to others: expand it against main.cf as
		 * it is, or against the defaults when that does not load. */
		if (config_load(dir, &error) < 0)
			config_reset();
		for (i = 0; i < (size_t)argc; i++) {
			if (config_check_assign(argv[i], &error) < 0) {
				fprintf(stderr, "ternconf: %s\n", error);
				status = 1;
			}
		}
		config_reset();
		if (status != 0) {
			fprintf(stderr, "ternconf: fatal: nothing changed\n");
			return 1;
		}
		if (config_edit(dir, (const char *const *)argv, (size_t)argc,
			&error) < 0) {
			fprintf(stderr, "ternconf: fatal: %s\n", error);
			return 1;
		}
		return 0;
	}

	if (!defaults) {
		if (config_load(dir, &error) < 0) {
			fprintf(stderr, "ternconf: fatal: %s\n", error);
			return 1;
		}
		config_foreach_warning(print_warning, NULL);
	}

	if (argc > 0) {
		for (i = 0; i < (size_t)argc; i++) {
			const struct param_def *p = param_find(argv[i]);
			const char *raw;

			if (p != NULL) {
				if (!nondefault || config_raw(p->name))
					items_add(&it, p->name,
					    row_value(p, defaults));
			} else if (!defaults &&
			    (raw = config_raw(argv[i])) != NULL) {
				items_add(&it, argv[i], raw);
			} else {
				fprintf(stderr,
				    "ternconf: warning: unknown "
				    "parameter: %s\n",
				    argv[i]);
				status = 1;
			}
		}
	} else if (nondefault) {
		config_foreach_set(collect_set, &it);
		if (it.n > 0) /* qsort(NULL, 0, ...) is undefined */
			qsort(it.v, it.n, sizeof(*it.v), item_cmp);
	} else {
		for (i = 0; i < param_table_count; i++)
			items_add(&it, param_table[i].name,
			    row_value(&param_table[i], defaults));
		qsort(it.v, it.n, sizeof(*it.v), item_cmp);
	}
	if (print_items(&it, expand, value_only) != 0)
		status = 1;
	xfree(it.v);
	config_reset();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("ternconf: write error");
		status = 1;
	}
	return status;
}
