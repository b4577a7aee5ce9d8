/* SPDX-License-Identifier: MIT */
/* die - a tool's fatal error (die.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/die.h"

static const char *die_program = "tern";
static void (*die_cleanup)(void);

void
die_init(const char *program, void (*cleanup)(void))
{
	die_program = program;
	die_cleanup = cleanup;
}

void
die(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (die_cleanup != NULL) {
		void (*fn)(void) = die_cleanup;

		die_cleanup = NULL; /* a cleanup that dies runs once */
		fn();
	}
	fprintf(stderr, "%s: fatal: ", die_program);
	errno = saved; /* for %m */
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}
