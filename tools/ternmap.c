/* SPDX-License-Identifier: MIT */
/* ternmap - build and query Tern lookup tables (like postmap). */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/dict.h"
#include "util/die.h"
#include "util/log.h"
#include "util/mem.h"

#define TERNMAP_DEFAULT_TYPE "hash"

/* Exit codes of -q: found, not found, trouble. */
#define EXIT_FOUND 0
#define EXIT_NOT_FOUND 1
#define EXIT_TROUBLE 2

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: ternmap [-c config_dir] [type:]file ...\n"
	      "       ternmap [-c config_dir] -q key|- [type:]file ...\n",
	    stderr);
	exit(EXIT_TROUBLE);
}

/* Search the tables in order: 1 found, 0 not found; errors are fatal. */
static int
query(struct dict **dicts, int count, const char *key, const char **value_r)
{
	const char *error;
	int i, ret;

	for (i = 0; i < count; i++) {
		ret = dict_lookup(dicts[i], key, value_r, &error);
		if (ret < 0)
			die(EXIT_TROUBLE, "%s", error);
		if (ret > 0)
			return 1;
	}
	return 0;
}

static int
query_stdin(struct dict **dicts, int count)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	const char *value;
	int found = 0;

	while ((n = getline(&line, &size, stdin)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = 0;
		if (query(dicts, count, line, &value)) {
			/* postmap -q - prints key TAB value. */
			printf("%s\t%s\n", line, value);
			found = 1;
		}
	}
	free(line);
	if (fflush(stdout) != 0)
		die(EXIT_TROUBLE, "write: %s", strerror(errno));
	return found ? EXIT_FOUND : EXIT_NOT_FOUND;
}

int
main(int argc, char **argv)
{
	const char *config_dir = NULL, *key = NULL, *error, *value;
	struct dict **dicts;
	struct stat st;
	int c, i, count, status;

	log_init("ternmap");
	die_init("ternmap", NULL);
	while ((c = getopt(argc, argv, "c:q:")) != -1) {
		switch (c) {
		case 'c':
			config_dir = optarg;
			break;
		case 'q':
			key = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	/* The configuration is not read yet; the directory must exist. */
	if (config_dir != NULL &&
	    (stat(config_dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		die(key ? EXIT_TROUBLE : 1, "config directory %s: %s",
		    config_dir, errno ? strerror(errno) : "not a directory");
	if (key == NULL) {
		for (i = optind; i < argc; i++) {
			if (dict_build(argv[i], TERNMAP_DEFAULT_TYPE, &error) <
			    0)
				die(1, "%s", error);
		}
		return 0;
	}
	count = argc - optind;
	dicts = xcalloc((size_t)count, sizeof(*dicts));
	for (i = 0; i < count; i++) {
		if (dict_open(argv[optind + i], TERNMAP_DEFAULT_TYPE, &dicts[i],
			&error) < 0)
			die(EXIT_TROUBLE, "%s", error);
	}
	if (strcmp(key, "-") == 0) {
		status = query_stdin(dicts, count);
	} else if (query(dicts, count, key, &value)) {
		printf("%s\n", value);
		status = EXIT_FOUND;
	} else {
		status = EXIT_NOT_FOUND;
	}
	if (fflush(stdout) != 0)
		die(EXIT_TROUBLE, "write: %s", strerror(errno));
	for (i = 0; i < count; i++)
		dict_close(&dicts[i]);
	xfree(dicts);
	return status;
}
