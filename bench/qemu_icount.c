/*
 * qemu_icount.c - a qemu-user TCG plugin that counts the guest instructions a process executes.
 *
 * `qemu-arm -plugin ./libqemu_icount.so,out=FILE[,profile=on] PROGRAM` appends one line
 * "pid PID insns N" to FILE when each guest process exits (a forked child writes its own line,
 * so a caller picks the pid it started). With profile=on it also writes, per translated block,
 * "tb MAPPING_OFFSET COUNT PATH": the block's offset in the file it was mapped from and its
 * instruction count, so that bench/arm_profile.py can name the function with the file's symbols
 * (qemu itself only knows the main program's symbols, not those of libc).
 *
 * Counting is inline (one 64-bit add per executed block, two with profile=on; no callback), as
 * the counting plugins shipped with qemu do; a block entered and left early by a fault is counted
 * whole, which for a program without faults in its hot paths changes nothing measurable.
 *
 * Debian ships qemu-arm with the plugin interface exported but without qemu-plugin.h, so the
 * few declarations needed are written out below; they are the stable C interface of plugin API
 * version 1 (qemu 7.x).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the part of qemu's plugin interface this plugin uses -------------------------------- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_tb_trans_fn)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_fn)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_tb_trans_fn cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_fn cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) extern const int qemu_plugin_version;
__attribute__((visibility("default"))) const int qemu_plugin_version = 1;
__attribute__((visibility("default"))) int
qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv);

/* ---- state -------------------------------------------------------------------------------- */
struct block {
	uint64_t vaddr;
	uint64_t executed; /* instructions executed in this block: the inline add's target */
};

/* Blocks live in a list of fixed arrays, never moved: qemu holds pointers to their counters. */
struct block_array {
	struct block_array *next;
	size_t used;
	struct block block[1u << 14];
};

static uint64_t total; /* instructions of this process */
static char out_path[4096];
static bool profile;
static struct block_array *arrays;
static intptr_t guest_base; /* host address of guest address 0 (user mode) */
static bool have_base;

static struct block *new_block(void)
{
	if (!arrays || arrays->used == sizeof(arrays->block) / sizeof(arrays->block[0])) {
		struct block_array *a = calloc(1, sizeof(*a));
		if (!a)
			abort();
		a->next = arrays;
		arrays = a;
	}
	return &arrays->block[arrays->used++];
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
	if (!profile || n == 0)
		return;
	if (!have_base) {
		/* in user mode a guest address is the host address minus one fixed base */
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, 0);
		guest_base = (intptr_t)qemu_plugin_insn_haddr(insn) -
			     (intptr_t)qemu_plugin_insn_vaddr(insn);
		have_base = true;
	}
	struct block *b = new_block();
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->executed, n);
}

/* ---- output ------------------------------------------------------------------------------- */
struct mapping {
	uint64_t start, end, offset; /* guest addresses and the file offset of start */
	char path[512];
};

/* The guest's file mappings, read from the host's view of this qemu process. */
static size_t read_mappings(struct mapping *m, size_t cap)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	size_t n = 0;
	char line[1024];
	while (n < cap && fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;
		unsigned long long off;
		char perms[8], path[512] = "";
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %*s %511[^\n]", &lo, &hi,
			   perms, &off, path) < 4)
			continue;
		if (path[0] != '/' || lo < (uintptr_t)guest_base ||
		    (uint64_t)(hi - (uintptr_t)guest_base) > (1ull << 32))
			continue; /* not a guest mapping (qemu's own, or its libraries) */
		m[n].start = (uint64_t)((intptr_t)lo - guest_base);
		m[n].end = (uint64_t)((intptr_t)hi - guest_base);
		m[n].offset = off;
		snprintf(m[n].path, sizeof(m[n].path), "%s", path);
		n++;
	}
	fclose(f);
	return n;
}

static void write_profile(FILE *out)
{
	static struct mapping maps[512];
	size_t n_maps = read_mappings(maps, sizeof(maps) / sizeof(maps[0]));
	for (struct block_array *a = arrays; a; a = a->next) {
		for (size_t k = 0; k < a->used; k++) {
			const struct block *b = &a->block[k];
			if (b->executed == 0)
				continue;
			const struct mapping *m = NULL;
			for (size_t j = 0; j < n_maps && !m; j++)
				if (b->vaddr >= maps[j].start && b->vaddr < maps[j].end)
					m = &maps[j];
			if (m)
				fprintf(out, "tb %" PRIx64 " %" PRIu64 " %s\n",
					b->vaddr - m->start + m->offset, b->executed, m->path);
			else
				fprintf(out, "tb %" PRIx64 " %" PRIu64 " ?\n", b->vaddr,
					b->executed);
		}
	}
}

static void on_guest_exit(qemu_plugin_id_t id, void *userdata)
{
	(void)id;
	(void)userdata;
	FILE *out = fopen(out_path, "a");
	if (!out) {
		perror(out_path);
		return;
	}
	/* one write per process, so that lines of a parent and its child do not interleave */
	static char buf[1u << 20];
	setvbuf(out, buf, _IOFBF, sizeof(buf));
	fprintf(out, "pid %ld insns %" PRIu64 "\n", (long)getpid(), total);
	if (profile)
		write_profile(out);
	fprintf(out, "end %ld\n", (long)getpid());
	fclose(out);
}

int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int k = 0; k < argc; k++) {
		if (strncmp(argv[k], "out=", 4) == 0) {
			snprintf(out_path, sizeof(out_path), "%s", argv[k] + 4);
		} else if (strcmp(argv[k], "profile=on") == 0) {
			profile = true;
		} else {
			fprintf(stderr,
				"qemu_icount: unknown argument '%s' (out=FILE, profile=on)\n",
				argv[k]);
			return -1;
		}
	}
	if (!out_path[0]) {
		fprintf(stderr, "qemu_icount: out=FILE is required\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_guest_exit, NULL);
	return 0;
}
