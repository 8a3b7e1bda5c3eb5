/*
 * hexts glue: a few exports around zlib's deflate for src/package/gzip.ts.
 * Each stream is one allocation holding the z_stream and its input and output buffers, so JavaScript copies
 * input into `in`, calls hz_deflate and reads what it produced from `out`. The parameters are hex_core's:
 * raw deflate (windowBits -15), level 6, memLevel 8, default strategy.
 */
#include <stdlib.h>
#include "zlib.h"

#define EXPORT(name) __attribute__((export_name(#name)))

enum { IN_SIZE = 128 * 1024, OUT_SIZE = 64 * 1024 };

typedef struct {
  z_stream z;
  int status;
  unsigned char in[IN_SIZE];
  unsigned char out[OUT_SIZE];
} hz_stream;

EXPORT(hz_in_size) int hz_in_size(void) { return IN_SIZE; }
EXPORT(hz_out_size) int hz_out_size(void) { return OUT_SIZE; }

/* A new stream, or 0 when memory or initialisation fails. */
EXPORT(hz_new) hz_stream *hz_new(void) {
  hz_stream *s = malloc(sizeof *s);
  if (!s) return 0;
  s->z.zalloc = Z_NULL;
  s->z.zfree = Z_NULL;
  s->z.opaque = Z_NULL;
  s->status = deflateInit2(&s->z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  if (s->status != Z_OK) {
    free(s);
    return 0;
  }
  return s;
}

EXPORT(hz_in) unsigned char *hz_in(hz_stream *s) { return s->in; }
EXPORT(hz_out) unsigned char *hz_out(hz_stream *s) { return s->out; }

/* Hands the first `n` bytes of `in` to deflate. */
EXPORT(hz_input) void hz_input(hz_stream *s, int n) {
  s->z.next_in = s->in;
  s->z.avail_in = (unsigned)n;
}

/*
 * One deflate call into an empty `out`; returns the bytes it produced, or a negative zlib error.
 * flush is Z_NO_FLUSH (0) or Z_FINISH (4).
 */
EXPORT(hz_deflate) int hz_deflate(hz_stream *s, int flush) {
  s->z.next_out = s->out;
  s->z.avail_out = OUT_SIZE;
  s->status = deflate(&s->z, flush);
  if (s->status < 0 && s->status != Z_BUF_ERROR) return s->status;
  return OUT_SIZE - (int)s->z.avail_out;
}

/* 1 when the last hz_deflate finished its job: all input taken (Z_NO_FLUSH) or the stream ended (Z_FINISH). */
EXPORT(hz_done) int hz_done(hz_stream *s, int flush) {
  return flush == Z_FINISH ? s->status == Z_STREAM_END : s->z.avail_in == 0;
}

EXPORT(hz_free) void hz_free(hz_stream *s) {
  if (!s) return;
  deflateEnd(&s->z);
  free(s);
}
