/* TEMPORARY stand-in, replaced by the real module. */
#ifndef TERN_MAIL_IMAP_BODY_H
#define TERN_MAIL_IMAP_BODY_H
#include <stddef.h>
struct buf;
struct mime_message;
struct imap_section {
	int dummy;
};
#define IMAP_SECTION_UNKNOWN_CTE (-2)
int imap_envelope(const char *hdr, size_t hdr_len, struct buf *out);
int imap_bodystructure(const struct mime_message *m, const char *msg,
    size_t len, int extended, struct buf *out);
int imap_section_parse(const char *text, size_t len, struct imap_section *sec);
int imap_section_is_part(const struct imap_section *sec);
int imap_section_fetch(const struct mime_message *m, const char *msg,
    size_t len, const struct imap_section *sec, int binary, struct buf *out);
#endif
