/* config_impl - what config.c shares with config_edit.c; not for other
 * modules. The error text of config_err_set lives in a module buffer
 * until the next error. */
#ifndef TERN_MAIL_CONFIG_IMPL_H
#define TERN_MAIL_CONFIG_IMPL_H

#include <stddef.h>

struct buf;

/* Bound on the size of main.cf as a whole. */
#define CONFIG_FILE_MAX ((size_t)16 * 1024 * 1024)

/* Line classes shared by the parser and the editor. */
enum line_kind {
	LINE_SKIP,  /* blank or comment */
	LINE_CONT,  /* starts with white space */
	LINE_START, /* starts a logical line */
};

/* 1 for a character of a parameter name (letters, digits, '_'). */
int config_is_name_char(int c);
/* The class of the n bytes of one physical line at p. */
enum line_kind config_line_kind(const char *p, size_t n);
/* Split "name = value" (n bytes): 0 with both copies (xfree them), or -1. */
int config_split_assign(const char *p, size_t n, char **name_r, char **value_r);
/* Read a whole file into b (at most CONFIG_FILE_MAX). 0, or -1 with
 * errno set. */
int config_read_file(const char *path, struct buf *b);
/* Format an error message into the module buffer and return it. */
const char *
config_err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
