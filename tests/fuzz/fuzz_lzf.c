/* libFuzzer target: the LZF decoder (lzf_codec.c) on any bytes, against liblzf's decoder. */
#include <lzf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h5/lzf_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	/* the first two bytes choose the output room, the rest is the stream */
	size_t cap = ((size_t)data[0] << 8 | data[1]) * 2;
	/* exact sizes (one byte for none): ASan sees any access beyond them */
	uint8_t *a = malloc(cap ? cap : 1), *b = malloc(cap ? cap : 1);
	if (!a || !b)
		abort();
	size_t n = lzf_decode(data + 2, size - 2, a, cap);
	unsigned m = lzf_decompress(data + 2, (unsigned)(size - 2), b, (unsigned)cap);
	if (n != m || memcmp(a, b, n) != 0)
		abort(); /* the two decoders disagree */
	free(a);
	free(b);
	return 0;
}
