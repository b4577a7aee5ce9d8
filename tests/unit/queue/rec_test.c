/* SPDX-License-Identifier: MIT */
/* rec_test - varint edge cases, round trips, truncation, forgery attempts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue/rec.h"
#include "util/buf.h"
#include "util/mem.h"

static int
mem_fd(void)
{
	int fd = memfd_create("rec_test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void
test_varint_round_trip(void **state)
{
	static const uint64_t values[] = {
		0,
		1,
		127,
		128,
		255,
		16383,
		16384,
		2097151,
		2097152,
		(1ULL << 35) - 1,
		1ULL << 35,
		(1ULL << 63) - 1,
		1ULL << 63,
		UINT64_MAX,
	};
	static const size_t lens[] = {
		1,
		1,
		1,
		2,
		2,
		2,
		3,
		3,
		4,
		5,
		6,
		9,
		10,
		10,
	};
	unsigned char out[REC_LEN_MAX_BYTES];
	const char *err;
	uint64_t v;
	size_t i, n, used, cut;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		n = rec_len_encode(values[i], out);
		assert_int_equal(n, lens[i]);
		assert_int_equal(rec_len_decode(out, n, &v, &used, &err), 1);
		assert_true(v == values[i]);
		assert_int_equal(used, n);
		/* Every proper prefix asks for more. */
		for (cut = 0; cut < n; cut++)
			assert_int_equal(rec_len_decode(out, cut, &v, &used,
					     &err),
			    0);
	}
}

static void
test_varint_bad(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "\x80\x00", 2 },     /* 0 spelled long */
		{ "\x81\x00", 2 },     /* 1 spelled long */
		{ "\xff\x80\x00", 3 }, /* trailing zero group */
		{ "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02",
		    10 }, /* > 64 bit */
		{ "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
		    10 }, /* > 64 bit */
		{ "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x81",
		    10 }, /* 11 bytes */
		{ "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11 },
	};
	const char *err = NULL;
	uint64_t v;
	size_t i, used;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		assert_int_equal(rec_len_decode((const unsigned char *)bad[i]
						    .bytes,
				     bad[i].len, &v, &used, &err),
		    -1);
		assert_non_null(err);
	}
}

/* Write records of every length class, read them back. */
static void
test_round_trip(void **state)
{
	static const size_t sizes[] = {
		0,
		1,
		127,
		128,
		16383,
		16384,
		65535,
		65536,
		65537,
		200000,
	};
	size_t nsizes = sizeof(sizes) / sizeof(sizes[0]), i, j;
	struct rec_writer *w;
	struct rec_reader *r;
	struct buf *d = buf_create(300000);
	char *data = xmalloc(200000);
	const char *err;
	off_t off, offs[16];
	int fd = mem_fd();

	for (i = 0; i < 200000; i++)
		data[i] = (char)(i * 7 + 3);
	w = rec_writer_create(fd, 0);
	for (i = 0; i < nsizes; i++) {
		offs[i] = rec_writer_offset(w);
		assert_int_equal(rec_put(w, 'A' + (int)i, data, sizes[i], &err),
		    0);
	}
	assert_int_equal(rec_put(w, REC_TYPE_END, "", 0, &err), 0);
	assert_int_equal(rec_flush(w, &err), 0);
	off = rec_writer_offset(w);
	assert_int_equal(lseek(fd, 0, SEEK_END), off);
	rec_writer_destroy(&w);
	assert_null(w);

	/* Read with data, then again skipping data. */
	for (j = 0; j < 2; j++) {
		r = rec_reader_create(fd, 0);
		for (i = 0; i < nsizes; i++) {
			assert_int_equal(rec_get(r, j ? NULL : d, 300000, &off,
					     &err),
			    'A' + (int)i);
			assert_int_equal(off, offs[i]);
			assert_int_equal(rec_reader_last_len(r), sizes[i]);
			if (!j) {
				assert_int_equal(buf_len(d), sizes[i]);
				assert_memory_equal(d->data, data, sizes[i]);
			}
		}
		assert_int_equal(rec_get(r, d, 10, NULL, &err), REC_TYPE_END);
		assert_int_equal(rec_get(r, d, 10, NULL, &err), REC_EOF);
		rec_reader_destroy(&r);
	}
	xfree(data);
	buf_destroy(&d);
	close(fd);
}

/* A file cut at every byte yields whole records, then an error (or EOF
 * exactly at a record boundary): never a short record. */
static void
test_truncation_every_split(void **state)
{
	struct rec_writer *w;
	struct rec_reader *r;
	struct buf *d = buf_create(1000);
	unsigned char all[4096];
	const char *err;
	off_t total, bounds[4];
	int fd = mem_fd(), cut_fd, type, skip;
	size_t nrec, i;

	w = rec_writer_create(fd, 0);
	bounds[0] = 0;
	assert_int_equal(rec_put(w, 'S', "sender@example", 14, &err), 0);
	bounds[1] = rec_writer_offset(w);
	memset(all, 'x', 300);
	assert_int_equal(rec_put(w, 'C', all, 300, &err), 0);
	bounds[2] = rec_writer_offset(w);
	assert_int_equal(rec_put(w, 'E', "", 0, &err), 0);
	bounds[3] = rec_writer_offset(w);
	assert_int_equal(rec_flush(w, &err), 0);
	rec_writer_destroy(&w);
	total = bounds[3];
	assert_int_equal(pread(fd, all, (size_t)total, 0), total);

	for (skip = 0; skip < 2; skip++) {
		off_t cut;

		for (cut = 0; cut <= total; cut++) {
			cut_fd = mem_fd();
			assert_int_equal(write(cut_fd, all, (size_t)cut), cut);
			r = rec_reader_create(cut_fd, 0);
			nrec = 0;
			while ((type = rec_get(r, skip ? NULL : d, 1000, NULL,
				    &err)) > 0)
				nrec++;
			/* Whole records before the cut, nothing more. */
			for (i = 0; i < 4 && bounds[i] <= cut; i++)
				;
			assert_int_equal(nrec, i - 1);
			assert_int_equal(type,
			    bounds[i - 1] == cut ? REC_EOF : REC_ERROR);
			/* A failed reader stays failed. */
			if (type == REC_ERROR)
				assert_int_equal(rec_get(r, d, 1000, NULL,
						     &err),
				    REC_ERROR);
			rec_reader_destroy(&r);
			close(cut_fd);
		}
	}
	buf_destroy(&d);
	close(fd);
}

/* Data that looks like records stays data. */
static void
test_no_forgery(void **state)
{
	static const char evil[] = "x\nE\0R\x05hello\r\n.\r\nE\0";
	struct rec_writer *w;
	struct rec_reader *r;
	struct buf *d = buf_create(100);
	const char *err;
	int fd = mem_fd();

	w = rec_writer_create(fd, 0);
	assert_int_equal(rec_put(w, REC_TYPE_FROM, evil, sizeof(evil) - 1,
			     &err),
	    0);
	assert_int_equal(rec_put(w, REC_TYPE_END, "", 0, &err), 0);
	assert_int_equal(rec_flush(w, &err), 0);
	rec_writer_destroy(&w);
	r = rec_reader_create(fd, 0);
	assert_int_equal(rec_get(r, d, 100, NULL, &err), REC_TYPE_FROM);
	assert_int_equal(buf_len(d), sizeof(evil) - 1);
	assert_memory_equal(d->data, evil, sizeof(evil) - 1);
	assert_int_equal(rec_get(r, d, 100, NULL, &err), REC_TYPE_END);
	assert_int_equal(rec_get(r, d, 100, NULL, &err), REC_EOF);
	rec_reader_destroy(&r);
	buf_destroy(&d);
	close(fd);
}

static void
test_limits_and_garbage(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		size_t max;
	} bad[] = {
		{ "\0\0", 2, 100 }, /* zero type */
		{ "S\x05"
		  "abcdef",
		    8, 4 },              /* above max */
		{ "S\x80\x00", 3, 100 }, /* non-canonical length */
		{ "S\x05"
		  "ab",
		    4, 100 }, /* cut data */
		{ "S\x05"
		  "abcde"
		  "S\x85",
		    9, 100 }, /* second header cut */
		{ "S\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, SIZE_MAX },
		{ "S\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10, SIZE_MAX },
	};
	struct rec_reader *r;
	struct buf *d = buf_create(100), *small = buf_create(3);
	const char *err;
	size_t i;
	int fd, type;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = mem_fd();
		assert_int_equal(write(fd, bad[i].bytes, bad[i].len),
		    (ssize_t)bad[i].len);
		r = rec_reader_create(fd, 0);
		while ((type = rec_get(r, i >= 5 ? NULL : d, bad[i].max, NULL,
			    &err)) > 0)
			;
		assert_int_equal(type, REC_ERROR);
		rec_reader_destroy(&r);
		close(fd);
	}
	/* The buffer's own maximum also applies. */
	fd = mem_fd();
	assert_int_equal(write(fd,
			     "S\x04"
			     "abcd",
			     6),
	    6);
	r = rec_reader_create(fd, 0);
	assert_int_equal(rec_get(r, small, 100, NULL, &err), REC_ERROR);
	rec_reader_destroy(&r);
	r = rec_reader_create(fd, 0);
	assert_int_equal(rec_get(r, d, 100, NULL, &err), 'S');
	rec_reader_destroy(&r);
	close(fd);
	buf_destroy(&d);
	buf_destroy(&small);
}

static void
test_names(void **state)
{
	assert_string_equal(rec_type_name(REC_TYPE_RCPT), "rcpt");
	assert_string_equal(rec_type_name('q'), "unknown");
	assert_int_equal(rec_type_known(REC_TYPE_END), 1);
	assert_int_equal(rec_type_known(0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_round_trip),
		cmocka_unit_test(test_varint_bad),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncation_every_split),
		cmocka_unit_test(test_no_forgery),
		cmocka_unit_test(test_limits_and_garbage),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
