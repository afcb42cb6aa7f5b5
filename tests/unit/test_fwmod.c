/*
 * Unit tests of src/fwmod: the embedded encoding (base64 of zstd, made here with libzstd and
 * OpenSSL), the SHEPHERD_NODE_ID patch on ELFs built from the spec's description
 * (node-control.md 4.4, test_elf_build.h) checked by their raw bytes and by objcopy's HEX line,
 * HEX detection, and the task's steps (suffixes, parent directories, moved results, errors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

#include "common/log.h"
#include "fwmod/fwmod.h"
#include "fwmod/fwmod_internal.h"
#include "test_elf_build.h"
#include "test_util.h"

/* The nRF52 test image's 16 bytes at 0x6C0, SHEPHERD_NODE_ID (0xAFFE) at 0x6C8 (spec 4.4). */
static const uint8_t NRF_TEXT[16] = {0x5F, 0xF8, 0x00, 0xF0, 0x21, 0x00, 0x00, 0x20,
				     0xFE, 0xAF, 0x00, 0x00, 0x02, 0x1A, 0x50, 0x00};
static const uint8_t MSP_RODATA[2] = {0xFE, 0xAF};
#define NRF_LINE ":1006C0005FF800F0210000202A000000021A50000C"
#define MSP_LINE ":024000002A0094"

/* nRF52-like: little-endian ARM, one PT_LOAD from address 0 at file offset 0x10000, so the
 * symbol's file offset is 0x106C8 as in the spec's build_nrf.elf. */
static struct test_elf nrf_elf(void)
{
	return (struct test_elf){
		.machine = EM_ARM,
		.section = ".text",
		.addr = 0x6C0,
		.offset = 0x106C0,
		.bytes = NRF_TEXT,
		.size = 16,
		.seg_vaddr = 0,
		.seg_offset = 0x10000,
		.seg_filesz = 0x6D0,
		.seg_memsz = 0x6D0,
		.sym = {{"main", 0x6C0}, {"SHEPHERD_NODE_ID", 0x6C8}},
		.nsym = 2,
	};
}

/* MSP430-like: the symbol at 0x4000 in .rodata, file offset 0xB4 (build_msp.elf). */
static struct test_elf msp_elf(void)
{
	return (struct test_elf){
		.machine = EM_MSP430,
		.section = ".rodata",
		.addr = 0x4000,
		.offset = 0xB4,
		.bytes = MSP_RODATA,
		.size = 2,
		.seg_vaddr = 0x4000,
		.seg_offset = 0xB4,
		.seg_filesz = 2,
		.seg_memsz = 2,
		.sym = {{"SHEPHERD_NODE_ID", 0x4000}},
		.nsym = 1,
	};
}

static uint8_t *read_all(const char *path, size_t *len)
{
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	uint8_t *buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

static void bytes_at(const char *path, long off, uint8_t out[2])
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, off, SEEK_SET), 0);
	assert_int_equal(fread(out, 1, 2, f), 2);
	fclose(f);
}

static bool file_has_line(const char *path, const char *line)
{
	size_t len;
	char *text = (char *)read_all(path, &len);
	bool found = false;
	for (char *l = text ? strtok(text, "\r\n") : NULL; l && !found; l = strtok(NULL, "\r\n"))
		found = strcmp(l, line) == 0;
	free(text);
	return found;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* base64 of a zstd frame of bytes; with_size false: a streamed frame without content size. */
static char *payload(const void *bytes, size_t len, bool with_size)
{
	size_t cap = ZSTD_compressBound(len);
	uint8_t *z = malloc(cap);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, len > 1000000 ? 1 : 20);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, with_size);
	size_t zlen;
	if (with_size) {
		zlen = ZSTD_compress2(cctx, z, cap, bytes, len);
	} else {
		ZSTD_inBuffer in = {bytes, len, 0};
		ZSTD_outBuffer out = {z, cap, 0};
		zlen = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
		assert_int_equal(zlen, 0);
		zlen = out.pos;
	}
	assert_false(ZSTD_isError(zlen));
	ZSTD_freeCCtx(cctx);
	char *text = malloc(zlen / 3 * 4 + 8);
	EVP_EncodeBlock((unsigned char *)text, z, (int)zlen);
	free(z);
	return text;
}

static char *b64(const void *bytes, size_t len)
{
	char *text = malloc(len / 3 * 4 + 8);
	EVP_EncodeBlock((unsigned char *)text, bytes, (int)len);
	return text;
}

static void write_elf(const char *path, const struct test_elf *t)
{
	assert_true(test_elf_write(path, t));
}

/* ---- the patch ------------------------------------------------------------------------- */

static void nrf52_patch_gives_the_spec_line(void **state)
{
	(void)state;
	char dir[64], elf[256], hex[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(elf, sizeof(elf), "%s/build_nrf.elf", dir);
	snprintf(hex, sizeof(hex), "%s/build_nrf.hex", dir);
	struct test_elf t = nrf_elf();
	write_elf(elf, &t);
	uint8_t raw[2];
	bytes_at(elf, 0x106C8, raw);
	assert_int_equal(raw[0], 0xFE);
	assert_int_equal(raw[1], 0xAF);
	bool patched = false;
	assert_int_equal(fwmod_patch_node_id(elf, 42, &patched), SHP_OK);
	assert_true(patched);
	bytes_at(elf, 0x106C8, raw);
	assert_int_equal(raw[0], 0x2A);
	assert_int_equal(raw[1], 0x00);
	assert_int_equal(fwmod_elf_to_hex(elf, hex), SHP_OK);
	assert_true(file_has_line(hex, NRF_LINE));
	assert_int_equal(fwmod_detect(hex), FWMOD_HEX);
	test_rm_rf(dir);
}

static void msp430_patch_gives_the_spec_line(void **state)
{
	(void)state;
	char dir[64], elf[256], hex[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(elf, sizeof(elf), "%s/build_msp.elf", dir);
	snprintf(hex, sizeof(hex), "%s/build_msp.hex", dir);
	struct test_elf t = msp_elf();
	write_elf(elf, &t);
	bool patched = false;
	assert_int_equal(fwmod_patch_node_id(elf, 42, &patched), SHP_OK);
	assert_true(patched);
	uint8_t raw[2];
	bytes_at(elf, 0xB4, raw);
	assert_int_equal(raw[0], 0x2A);
	assert_int_equal(raw[1], 0x00);
	assert_int_equal(fwmod_elf_to_hex(elf, hex), SHP_OK);
	assert_true(file_has_line(hex, MSP_LINE));
	test_rm_rf(dir);
}

static void big_endian_elf_gets_big_endian_bytes(void **state)
{
	(void)state;
	char dir[64], elf[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(elf, sizeof(elf), "%s/be.elf", dir);
	struct test_elf t = nrf_elf();
	t.big_endian = true;
	write_elf(elf, &t);
	bool patched = false;
	assert_int_equal(fwmod_patch_node_id(elf, 0x1234, &patched), SHP_OK);
	assert_true(patched);
	uint8_t raw[2];
	bytes_at(elf, 0x106C8, raw);
	assert_int_equal(raw[0], 0x12);
	assert_int_equal(raw[1], 0x34);
	test_rm_rf(dir);
}

static void missing_symbol_patches_nothing(void **state)
{
	(void)state;
	char dir[64], elf[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(elf, sizeof(elf), "%s/nosym.elf", dir);
	struct test_elf t = nrf_elf();
	t.sym[1].name = "OTHER_ID";
	write_elf(elf, &t);
	size_t len0, len1;
	uint8_t *before = read_all(elf, &len0);
	bool patched = true;
	assert_int_equal(fwmod_patch_node_id(elf, 42, &patched), SHP_OK);
	assert_false(patched);
	uint8_t *after = read_all(elf, &len1);
	assert_int_equal(len0, len1);
	assert_memory_equal(before, after, len0);
	free(before);
	free(after);
	test_rm_rf(dir);
}

/* A node id with no bytes in the file (in .bss, past p_filesz, or outside every segment) is
 * an error and the file stays as it was. */
static void symbol_without_file_bytes_is_an_error(void **state)
{
	(void)state;
	char dir[64], elf[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(elf, sizeof(elf), "%s/bss.elf", dir);
	struct test_elf t = nrf_elf();
	t.seg_filesz = 0x6C9; /* one byte of the two in the file */
	t.seg_memsz = 0x800;
	t.size = 9;
	write_elf(elf, &t);
	size_t len0, len1;
	uint8_t *before = read_all(elf, &len0);
	bool patched = true;
	assert_int_equal(fwmod_patch_node_id(elf, 42, &patched), SHP_ERR_FIRMWARE);
	assert_false(patched);
	uint8_t *after = read_all(elf, &len1);
	assert_memory_equal(before, after, len0);
	free(before);
	free(after);

	t = nrf_elf();
	t.sym[1].value = 0x9000;
	write_elf(elf, &t);
	assert_int_equal(fwmod_patch_node_id(elf, 42, &patched), SHP_ERR_FIRMWARE);
	test_rm_rf(dir);
}

static void non_elf_is_rejected_by_the_patch(void **state)
{
	(void)state;
	char dir[64], path[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	test_write_file(dir, "fw.elf", ":00000001FF\n");
	snprintf(path, sizeof(path), "%s/fw.elf", dir);
	bool patched = true;
	assert_int_equal(fwmod_patch_node_id(path, 42, &patched), SHP_ERR_FIRMWARE);
	assert_false(patched);
	snprintf(path, sizeof(path), "%s/missing.elf", dir);
	assert_int_not_equal(fwmod_patch_node_id(path, 42, &patched), SHP_OK);
	test_rm_rf(dir);
}

/* An ELF as a real linker lays it out (binutils' as and ld for the build machine): the patch
 * finds the symbol's bytes through its segment, which objcopy's own section dump confirms. */
static void linker_made_elf_is_patched_where_the_symbol_is(void **state)
{
	(void)state;
	char dir[64], cmd[1024], path[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	test_write_file(dir, "fw.s",
			"\t.section .rodata\n\t.byte 1, 2, 3, 4\n\t.globl SHEPHERD_NODE_ID\n"
			"SHEPHERD_NODE_ID:\n\t.short 0xAFFE\n\t.byte 5, 6\n"
			"\t.text\n\t.globl _start\n_start:\n\tnop\n");
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && as -o fw.o fw.s && ld -o fw.elf -Ttext=0x10000 fw.o && "
		 "objcopy -O binary -j .rodata fw.elf before.bin",
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/fw.elf", dir);
	bool patched = false;
	assert_int_equal(fwmod_patch_node_id(path, 0x1234, &patched), SHP_OK);
	assert_true(patched);
	snprintf(cmd, sizeof(cmd), "cd '%s' && objcopy -O binary -j .rodata fw.elf after.bin", dir);
	assert_int_equal(system(cmd), 0);
	static const uint8_t before[8] = {1, 2, 3, 4, 0xFE, 0xAF, 5, 6};
	static const uint8_t after[8] = {1, 2, 3, 4, 0x34, 0x12, 5, 6};
	size_t len;
	snprintf(path, sizeof(path), "%s/before.bin", dir);
	uint8_t *got = read_all(path, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(got, before, 8);
	free(got);
	snprintf(path, sizeof(path), "%s/after.bin", dir);
	got = read_all(path, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(got, after, 8);
	free(got);
	test_rm_rf(dir);
}

/* ---- decoding -------------------------------------------------------------------------- */

static void decode_round_trips(void **state)
{
	(void)state;
	size_t len = 100000;
	uint8_t *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)((i * 2654435761u) >> 13);
	for (int with_size = 0; with_size < 2; with_size++) {
		char *text = payload(data, len, with_size);
		uint8_t *out = NULL;
		size_t out_len = 0;
		assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_OK);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, data, len);
		free(out);
		free(text);
	}
	/* lines of 76 characters (base64 as mail and PEM write it) */
	char *text = payload(data, 5000, true);
	size_t n = strlen(text);
	char *wrapped = malloc(n + n / 76 + 2);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		wrapped[w++] = text[i];
		if (i % 76 == 75)
			wrapped[w++] = '\n';
	}
	wrapped[w++] = '\n';
	wrapped[w] = 0;
	uint8_t *out = NULL;
	size_t out_len = 0;
	assert_int_equal(fwmod_decode(wrapped, &out, &out_len), SHP_OK);
	assert_int_equal(out_len, 5000);
	assert_memory_equal(out, data, 5000);
	free(out);
	free(wrapped);
	free(text);
	/* an empty file compresses to a frame too */
	text = payload("", 0, true);
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_OK);
	assert_int_equal(out_len, 0);
	free(out);
	free(text);
	free(data);
}

static void decode_takes_concatenated_frames(void **state)
{
	(void)state;
	uint8_t frames[256];
	size_t a = ZSTD_compress(frames, sizeof(frames), "hello ", 6, 3);
	size_t b = ZSTD_compress(frames + a, sizeof(frames) - a, "world", 5, 3);
	char *text = b64(frames, a + b);
	uint8_t *out = NULL;
	size_t out_len = 0;
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_OK);
	assert_int_equal(out_len, 11);
	assert_memory_equal(out, "hello world", 11);
	free(out);
	free(text);
}

static void decode_rejects_corrupt_payloads(void **state)
{
	(void)state;
	uint8_t *out = (uint8_t *)"untouched";
	size_t out_len = 0;
	/* not base64 */
	assert_int_equal(fwmod_decode("KLUv/-QA", &out, &out_len), SHP_ERR_FIRMWARE);
	assert_int_equal(fwmod_decode("KLUv/SQA!", &out, &out_len), SHP_ERR_FIRMWARE);
	assert_int_equal(fwmod_decode("KLU", &out, &out_len), SHP_ERR_FIRMWARE);
	assert_int_equal(fwmod_decode("", &out, &out_len), SHP_ERR_FIRMWARE);
	/* base64, but not zstd */
	char *text = b64("hello world, not compressed", 27);
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_ERR_FIRMWARE);
	free(text);
	/* a frame cut short, and one with garbage after it */
	uint8_t frame[300];
	uint8_t plain[200];
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + (i >> 3));
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	size_t n = ZSTD_compress2(cctx, frame, sizeof(frame) - 8, plain, sizeof(plain));
	ZSTD_freeCCtx(cctx);
	assert_false(ZSTD_isError(n));
	text = b64(frame, n - 5);
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_ERR_FIRMWARE);
	free(text);
	memcpy(frame + n, "GARBAGE!", 8);
	text = b64(frame, n + 8);
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_ERR_FIRMWARE);
	free(text);
	/* a damaged block: the frame's checksum (or the block decoder) notices */
	frame[n / 2] ^= 0x55;
	frame[n / 2 + 1] ^= 0xAA;
	text = b64(frame, n);
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_ERR_FIRMWARE);
	free(text);
	assert_string_equal((char *)out, "untouched");
}

static void decode_caps_the_decompressed_size(void **state)
{
	(void)state;
	size_t len = FWMOD_DECODED_MAX + 1;
	uint8_t *zeros = calloc(1, len);
	for (int with_size = 0; with_size < 2; with_size++) {
		char *text = payload(zeros, len, with_size);
		uint8_t *out = NULL;
		size_t out_len = 0;
		assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_ERR_FIRMWARE);
		assert_null(out);
		free(text);
	}
	/* exactly the cap is fine */
	char *text = payload(zeros, len - 1, false);
	uint8_t *out = NULL;
	size_t out_len = 0;
	assert_int_equal(fwmod_decode(text, &out, &out_len), SHP_OK);
	assert_int_equal(out_len, len - 1);
	free(out);
	free(text);
	free(zeros);
}

/* ---- detection and suffixes ------------------------------------------------------------ */

static void detect_tells_elf_hex_and_other(void **state)
{
	(void)state;
	char dir[64], path[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/a.elf", dir);
	struct test_elf t = msp_elf();
	write_elf(path, &t);
	assert_int_equal(fwmod_detect(path), FWMOD_ELF);
	static const struct {
		const char *text;
		enum fwmod_kind kind;
	} cases[] = {
		{":024000002A0094\r\n:00000001FF\r\n", FWMOD_HEX},
		{":024000002a0094\n\n:00000001FF\n", FWMOD_HEX},
		{":024000002A0095\n:00000001FF\n", FWMOD_OTHER}, /* checksum */
		{":024000002A0094\n", FWMOD_OTHER},              /* no EOF record */
		{":034000002A0094\n:00000001FF\n", FWMOD_OTHER}, /* count vs length */
		{":00000001FF\n:024000002A0094\n", FWMOD_OTHER}, /* data after EOF */
		{"024000002A0094\n:00000001FF\n", FWMOD_OTHER},  /* no colon */
		{":0240000G2A0094\n:00000001FF\n", FWMOD_OTHER}, /* not hex */
		{"", FWMOD_OTHER},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_write_file(dir, "x.hex", cases[i].text);
		snprintf(path, sizeof(path), "%s/x.hex", dir);
		assert_int_equal(fwmod_detect(path), cases[i].kind);
	}
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(fwmod_detect(path), FWMOD_OTHER);
	test_rm_rf(dir);
}

static void hex_check_names_the_problem(void **state)
{
	(void)state;
	static const struct {
		const char *text, *why;
	} cases[] = {
		{":00000001FF\n", NULL},
		{":024000002A0095\n:00000001FF\n", "line 1 has a wrong checksum"},
		{":00000001FF\nx\n", "line 2 follows the end-of-file record"},
		{":024000002A0094\n", "no end-of-file record"},
		{":034000002A0094\n:00000001FF\n", "line 1 is not as long as its byte count says"},
		{":0240000G2A0094\n", "line 1 holds a character that is not a hex digit"},
		{":024000062A008E\n", "line 1 has an unknown record type"},
		{"\n\n024000002A0094\n", "line 3 does not start with ':'"},
		{":0000\n", "line 1 has no record's length"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen((void *)cases[i].text, strlen(cases[i].text), "r");
		char why[128] = "";
		bool ok = fwmod_hex_check(f, why, sizeof(why));
		fclose(f);
		assert_int_equal(ok, cases[i].why == NULL);
		if (cases[i].why)
			assert_string_equal(why, cases[i].why);
	}
}

static void suffixes_are_replaced_as_python_does(void **state)
{
	(void)state;
	static const struct {
		const char *path, *want;
	} cases[] = {
		{"/var/shepherd/fw1_sheep0.hex", "/var/shepherd/fw1_sheep0.elf"},
		{"fw.ihex", "fw.elf"},
		{"a.b/fw", "a.b/fw.elf"},
		{"dir/fw.tar.gz", "dir/fw.tar.elf"},
		{"dir/.hidden", "dir/.hidden.elf"},
		{"dir/fw.", "dir/fw..elf"},
		{"dir/fw.hex/", "dir/fw.elf"},
	};
	char out[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(fwmod_with_suffix(cases[i].path, ".elf", out, sizeof(out)));
		assert_string_equal(out, cases[i].want);
	}
	assert_false(fwmod_with_suffix("", ".elf", out, sizeof(out)));
	assert_false(fwmod_with_suffix("/", ".elf", out, sizeof(out)));
	assert_false(fwmod_with_suffix("dir/.", ".elf", out, sizeof(out)));
	assert_false(fwmod_with_suffix("long-name.hex", ".elf", out, 8));
}

/* ---- the task -------------------------------------------------------------------------- */

static struct shp_firmware_mod task_of(const char *data, enum shp_fw_data_type type,
				       const char *firmware_file)
{
	struct shp_firmware_mod t = {.data = strdup(data), .data_type = type, .verbose = 2};
	snprintf(t.firmware_file, sizeof(t.firmware_file), "%s", firmware_file);
	return t;
}

static char *elf_payload(const struct test_elf *t, const char *dir)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/src.elf", dir);
	write_elf(path, t);
	size_t len;
	uint8_t *bytes = read_all(path, &len);
	char *text = payload(bytes, len, true);
	free(bytes);
	remove(path);
	return text;
}

static void embedded_elf_is_patched_and_converted(void **state)
{
	(void)state;
	char dir[64], file[256], elf[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	struct test_elf t = nrf_elf();
	char *text = elf_payload(&t, dir);
	snprintf(file, sizeof(file), "%s/new/deeper/fw1_sheep0.hex", dir);
	snprintf(elf, sizeof(elf), "%s/new/deeper/fw1_sheep0.elf", dir);
	struct shp_firmware_mod task = task_of(text, SHP_FW_ELF, file);
	task.has_custom_id = true;
	task.custom_id = 42;
	assert_int_equal(fwmod_run(&task), SHP_OK);
	assert_true(file_has_line(file, NRF_LINE));
	uint8_t raw[2];
	bytes_at(elf, 0x106C8, raw); /* the .elf copy stays, patched */
	assert_int_equal(raw[0], 0x2A);
	assert_int_equal(raw[1], 0x00);
	free(task.data);
	free(text);
	test_rm_rf(dir);
}

static void path_elf_result_moves_to_another_suffix(void **state)
{
	(void)state;
	char dir[64], src[256], file[256], path[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(src, sizeof(src), "%s/build_msp.elf", dir);
	struct test_elf t = msp_elf();
	write_elf(src, &t);
	snprintf(file, sizeof(file), "%s/out/fw2.ihex", dir);
	struct shp_firmware_mod task = task_of(src, SHP_FW_PATH_ELF, file);
	task.has_custom_id = true;
	task.custom_id = 42;
	assert_int_equal(fwmod_run(&task), SHP_OK);
	assert_true(file_has_line(file, MSP_LINE));
	snprintf(path, sizeof(path), "%s/out/fw2.hex", dir);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/out/fw2.elf", dir);
	assert_true(exists(path));
	uint8_t raw[2];
	bytes_at(src, 0xB4, raw); /* the source is copied, not patched */
	assert_int_equal(raw[0], 0xFE);
	free(task.data);
	test_rm_rf(dir);
}

static void hex_is_copied_or_decoded_unchanged(void **state)
{
	(void)state;
	char dir[64], src[256], file[256], path[256];
	const char *hex = ":024000002A0094\n:00000001FF\n";
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	test_write_file(dir, "given.hex", hex);
	snprintf(src, sizeof(src), "%s/given.hex", dir);
	snprintf(file, sizeof(file), "%s/a/fw1.ihx", dir);
	struct shp_firmware_mod task = task_of(src, SHP_FW_PATH_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_OK);
	size_t len;
	char *got = (char *)read_all(file, &len);
	assert_string_equal(got, hex);
	free(got);
	snprintf(path, sizeof(path), "%s/a/fw1.hex", dir);
	assert_false(exists(path));
	free(task.data);

	char *text = payload(hex, strlen(hex), true);
	snprintf(file, sizeof(file), "%s/b/fw1", dir); /* no suffix: made as fw1.hex, moved */
	task = task_of(text, SHP_FW_HEX, file);
	task.has_custom_id = true; /* only a warning of the model for hex */
	task.custom_id = 7;
	assert_int_equal(fwmod_run(&task), SHP_OK);
	got = (char *)read_all(file, &len);
	assert_string_equal(got, hex);
	free(got);
	free(task.data);
	free(text);
	test_rm_rf(dir);
}

static void missing_symbol_fails_but_still_gives_the_hex(void **state)
{
	(void)state;
	char dir[64], src[256], file[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(src, sizeof(src), "%s/plain.elf", dir);
	struct test_elf t = msp_elf();
	t.sym[0].name = "node_id";
	write_elf(src, &t);
	snprintf(file, sizeof(file), "%s/fw.hex", dir);
	struct shp_firmware_mod task = task_of(src, SHP_FW_PATH_ELF, file);
	task.has_custom_id = true;
	task.custom_id = 42;
	/* an error (the id asked for is not in the firmware), but the HEX is written unpatched */
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	assert_true(file_has_line(file, ":02400000FEAF11"));
	free(task.data);
	test_rm_rf(dir);
}

/* Each problem is SHP_ERR_FIRMWARE (or OUTPUT) and leaves no firmware_file behind. */
static void bad_tasks_fail_and_write_nothing(void **state)
{
	(void)state;
	char dir[64], src[256], file[256], elf[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	snprintf(file, sizeof(file), "%s/out/fw.hex", dir);
	snprintf(elf, sizeof(elf), "%s/out/fw.elf", dir);
	struct test_elf t = nrf_elf();
	snprintf(src, sizeof(src), "%s/ok.elf", dir);
	write_elf(src, &t);

	/* an ELF without custom_id */
	struct shp_firmware_mod task = task_of(src, SHP_FW_PATH_ELF, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	assert_false(exists(elf));
	free(task.data);

	/* not an ELF where the type says ELF, embedded and by path */
	test_write_file(dir, "text.elf", "just text\n");
	snprintf(src, sizeof(src), "%s/text.elf", dir);
	task = task_of(src, SHP_FW_PATH_ELF, file);
	task.has_custom_id = true;
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	char *text = payload("just text\n", 10, true);
	task = task_of(text, SHP_FW_ELF, file);
	task.has_custom_id = true;
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	free(text);
	assert_false(exists(elf));

	/* a HEX with a bad checksum, an ELF given as hex */
	test_write_file(dir, "bad.hex", ":024000002A0095\n:00000001FF\n");
	snprintf(src, sizeof(src), "%s/bad.hex", dir);
	task = task_of(src, SHP_FW_PATH_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	text = elf_payload(&t, dir);
	task = task_of(text, SHP_FW_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	free(text);

	/* a corrupt payload, a missing data file, no file name */
	task = task_of("KLUv/SQA", SHP_FW_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	snprintf(src, sizeof(src), "%s/missing.hex", dir);
	task = task_of(src, SHP_FW_PATH_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	task = task_of(src, SHP_FW_PATH_HEX, "");
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	free(task.data);
	assert_false(exists(file));

	/* a parent that is a file */
	test_write_file(dir, "blocker", "x");
	test_write_file(dir, "good.hex", ":00000001FF\n");
	snprintf(src, sizeof(src), "%s/good.hex", dir);
	snprintf(file, sizeof(file), "%s/blocker/fw.hex", dir);
	task = task_of(src, SHP_FW_PATH_HEX, file);
	assert_int_equal(fwmod_run(&task), SHP_ERR_OUTPUT);
	free(task.data);
	test_rm_rf(dir);
}

static void objcopy_missing_or_failing_is_an_error(void **state)
{
	(void)state;
	char dir[64], src[256], file[256];
	assert_non_null(test_tmpdir(dir, sizeof(dir)));
	struct test_elf t = msp_elf();
	snprintf(src, sizeof(src), "%s/fw.elf", dir);
	write_elf(src, &t);
	snprintf(file, sizeof(file), "%s/fw.hex", dir);
	struct shp_firmware_mod task = task_of(src, SHP_FW_PATH_ELF, file);
	task.has_custom_id = true;
	setenv("SHEPHERD_OBJCOPY", "/nonexistent/objcopy", 1);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	setenv("SHEPHERD_OBJCOPY", "false", 1);
	assert_int_equal(fwmod_run(&task), SHP_ERR_FIRMWARE);
	unsetenv("SHEPHERD_OBJCOPY");
	assert_false(exists(file));
	free(task.data);
	test_rm_rf(dir);
}

int main(void)
{
	shp_log_set_console_level(SHP_LOG_CRITICAL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nrf52_patch_gives_the_spec_line),
		cmocka_unit_test(msp430_patch_gives_the_spec_line),
		cmocka_unit_test(big_endian_elf_gets_big_endian_bytes),
		cmocka_unit_test(missing_symbol_patches_nothing),
		cmocka_unit_test(symbol_without_file_bytes_is_an_error),
		cmocka_unit_test(non_elf_is_rejected_by_the_patch),
		cmocka_unit_test(linker_made_elf_is_patched_where_the_symbol_is),
		cmocka_unit_test(decode_round_trips),
		cmocka_unit_test(decode_takes_concatenated_frames),
		cmocka_unit_test(decode_rejects_corrupt_payloads),
		cmocka_unit_test(decode_caps_the_decompressed_size),
		cmocka_unit_test(detect_tells_elf_hex_and_other),
		cmocka_unit_test(hex_check_names_the_problem),
		cmocka_unit_test(suffixes_are_replaced_as_python_does),
		cmocka_unit_test(embedded_elf_is_patched_and_converted),
		cmocka_unit_test(path_elf_result_moves_to_another_suffix),
		cmocka_unit_test(hex_is_copied_or_decoded_unchanged),
		cmocka_unit_test(missing_symbol_fails_but_still_gives_the_hex),
		cmocka_unit_test(bad_tasks_fail_and_write_nothing),
		cmocka_unit_test(objcopy_missing_or_failing_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
