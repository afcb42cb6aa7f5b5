/*
 * fwmod_elf.c - SHEPHERD_NODE_ID patched into an ELF (node-control.md 4.4), with libelf/gelf.
 *
 * The symbol's address (its value in .symtab) is mapped to a file offset through the PT_LOAD
 * segment that holds both of its bytes in its file-backed part (p_filesz, not p_memsz): a node
 * id in .bss or outside every segment has no bytes in the file to patch and is an error, not a
 * write somewhere else. The two bytes are written in the ELF's own byte order, in place; the
 * rest of the file is left as it is.
 */
#include "fwmod/fwmod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

/* The symbol's address from .symtab; false if there is no defined symbol of that name. */
static bool find_symbol(Elf *elf, const char *name, uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t count = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; data && i < count; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s && strcmp(s, name) == 0) {
				*addr = sym.st_value;
				return true;
			}
		}
	}
	return false;
}

/* The file offset of [addr, addr + size) through a PT_LOAD segment's file-backed part. */
static bool offset_of(Elf *elf, uint64_t addr, uint64_t size, uint64_t *off)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr >= ph.p_vaddr && addr - ph.p_vaddr <= ph.p_filesz &&
		    ph.p_filesz - (addr - ph.p_vaddr) >= size) {
			*off = ph.p_offset + (addr - ph.p_vaddr);
			return true;
		}
	}
	return false;
}

/* Where the node id goes: *found false without the symbol. */
static shp_err locate(const char *path, int fd, bool *found, uint64_t *off, bool *big_endian)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		log_error("FirmwareModTask: %s is not an ELF file", path);
		if (elf)
			elf_end(elf);
		return SHP_ERR_FIRMWARE;
	}
	shp_err err = SHP_OK;
	const char *ident = elf_getident(elf, NULL);
	*big_endian = ident && ident[EI_DATA] == ELFDATA2MSB;
	uint64_t addr = 0;
	*found = find_symbol(elf, FWMOD_NODE_ID_SYMBOL, &addr);
	if (*found && !offset_of(elf, addr, FWMOD_NODE_ID_SIZE, off)) {
		log_error("FirmwareModTask: %s: symbol " FWMOD_NODE_ID_SYMBOL " at 0x%" PRIx64
			  " lies in no loadable segment's file contents, it cannot be patched",
			  path, addr);
		err = SHP_ERR_FIRMWARE;
	}
	if (*found && !err)
		log_debug("FirmwareModTask: " FWMOD_NODE_ID_SYMBOL " at 0x%" PRIx64
			  ", file offset 0x%" PRIx64,
			  addr, *off);
	elf_end(elf);
	return err;
}

shp_err fwmod_patch_node_id(const char *path, uint16_t value, bool *patched)
{
	*patched = false;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		log_error("FirmwareModTask: libelf: %s", elf_errmsg(-1));
		return SHP_ERR_FIRMWARE;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		log_error("FirmwareModTask: cannot open %s: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	bool found = false, big = false;
	uint64_t off = 0;
	shp_err err = locate(path, fd, &found, &off, &big);
	struct stat st;
	if (!err && found &&
	    (fstat(fd, &st) != 0 || off + FWMOD_NODE_ID_SIZE > (uint64_t)st.st_size)) {
		log_error("FirmwareModTask: %s: the segment of " FWMOD_NODE_ID_SYMBOL
			  " reaches past the end of the file",
			  path);
		err = SHP_ERR_FIRMWARE;
	}
	if (!err && found) {
		uint8_t bytes[FWMOD_NODE_ID_SIZE] = {big ? value >> 8 : value & 0xFF,
						     big ? value & 0xFF : value >> 8};
		if (pwrite(fd, bytes, sizeof(bytes), (off_t)off) != (ssize_t)sizeof(bytes)) {
			log_error("FirmwareModTask: cannot write %s: %s", path, strerror(errno));
			err = SHP_ERR_OUTPUT;
		} else {
			*patched = true;
		}
	}
	if (close(fd) != 0 && !err) {
		log_error("FirmwareModTask: cannot write %s: %s", path, strerror(errno));
		err = SHP_ERR_OUTPUT;
	}
	if (!err && !found)
		log_debug("FirmwareModTask: %s has no symbol " FWMOD_NODE_ID_SYMBOL
			  ", nothing patched",
			  path);
	return err;
}
