/*
 * test_elf_build.h - tiny firmware ELFs for the FirmwareModTask tests, written with libelf from
 * a description (node-control.md 4.4): one section with its bytes, one PT_LOAD segment, a
 * .symtab with the given symbols. The layout is the test's (ELF_F_LAYOUT), so a symbol's file
 * offset is known exactly.
 */
#ifndef TEST_ELF_BUILD_H
#define TEST_ELF_BUILD_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

struct test_elf_sym {
	const char *name;
	uint32_t value;
};

struct test_elf {
	bool big_endian;
	uint16_t machine;     /* EM_ARM, EM_MSP430 */
	const char *section;  /* ".text", ".rodata" */
	uint32_t addr;        /* the section's address */
	uint32_t offset;      /* its file offset */
	const uint8_t *bytes; /* its content */
	uint32_t size;
	uint32_t seg_vaddr; /* the PT_LOAD segment */
	uint32_t seg_offset;
	uint32_t seg_filesz;
	uint32_t seg_memsz;
	struct test_elf_sym sym[4];
	unsigned nsym;
};

static inline Elf_Scn *test_elf_section(Elf *elf, uint32_t name, uint32_t type, uint32_t flags,
					uint32_t addr, uint32_t offset, void *buf, size_t size,
					uint32_t link, uint32_t entsize, Elf_Type dtype)
{
	Elf_Scn *scn = elf_newscn(elf);
	Elf_Data *d = elf_newdata(scn);
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = dtype;
	d->d_align = 1;
	d->d_off = 0;
	d->d_version = EV_CURRENT;
	Elf32_Shdr *sh = elf32_getshdr(scn);
	sh->sh_name = name;
	sh->sh_type = type;
	sh->sh_flags = flags;
	sh->sh_addr = addr;
	sh->sh_offset = offset;
	sh->sh_size = (uint32_t)size;
	sh->sh_link = link;
	sh->sh_entsize = entsize;
	sh->sh_addralign = 1;
	return scn;
}

/* Writes the ELF to path; false on any libelf failure. */
static inline bool test_elf_write(const char *path, const struct test_elf *t)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return false;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return false;
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf32_Ehdr *eh = elf ? elf32_newehdr(elf) : NULL;
	if (!eh) {
		close(fd);
		return false;
	}
	eh->e_ident[EI_DATA] = t->big_endian ? ELFDATA2MSB : ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = t->machine;
	eh->e_version = EV_CURRENT;
	Elf32_Phdr *ph = elf32_newphdr(elf, 1);
	ph->p_type = PT_LOAD;
	ph->p_offset = t->seg_offset;
	ph->p_vaddr = ph->p_paddr = t->seg_vaddr;
	ph->p_filesz = t->seg_filesz;
	ph->p_memsz = t->seg_memsz;
	ph->p_flags = PF_R | PF_X;
	ph->p_align = 1;

	static char shstr[64];
	memcpy(shstr, "\0.symtab\0.strtab\0.shstrtab\0", 27);
	size_t sec_name = 27;
	strcpy(shstr + sec_name, t->section);
	size_t shstr_len = sec_name + strlen(t->section) + 1;

	static char strtab[128];
	static Elf32_Sym syms[5];
	memset(strtab, 0, sizeof(strtab));
	memset(syms, 0, sizeof(syms));
	size_t str_len = 1;
	for (unsigned i = 0; i < t->nsym; i++) {
		syms[i + 1].st_name = (uint32_t)str_len;
		syms[i + 1].st_value = t->sym[i].value;
		syms[i + 1].st_size = 2;
		syms[i + 1].st_info = ELF32_ST_INFO(STB_GLOBAL, STT_OBJECT);
		syms[i + 1].st_shndx = 1;
		strcpy(strtab + str_len, t->sym[i].name);
		str_len += strlen(t->sym[i].name) + 1;
	}
	size_t sym_size = (t->nsym + 1) * sizeof(Elf32_Sym);

	/* the section's bytes where the test wants them, the tables after the segment */
	uint32_t end = t->offset + t->size;
	uint32_t seg_end = t->seg_offset + t->seg_filesz;
	uint32_t at = ((end > seg_end ? end : seg_end) + 3u) & ~3u;
	test_elf_section(elf, (uint32_t)sec_name, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, t->addr,
			 t->offset, (void *)t->bytes, t->size, 0, 0, ELF_T_BYTE);
	Elf_Scn *symtab = test_elf_section(elf, 1, SHT_SYMTAB, 0, 0, at, syms, sym_size, 3,
					   sizeof(Elf32_Sym), ELF_T_SYM);
	elf32_getshdr(symtab)->sh_info = 1; /* all symbols global */
	at += (uint32_t)sym_size;
	test_elf_section(elf, 9, SHT_STRTAB, 0, 0, at, strtab, str_len, 0, 0, ELF_T_BYTE);
	at += (uint32_t)str_len;
	Elf_Scn *shs =
		test_elf_section(elf, 17, SHT_STRTAB, 0, 0, at, shstr, shstr_len, 0, 0, ELF_T_BYTE);
	at += (uint32_t)shstr_len;
	eh->e_shstrndx = (Elf32_Half)elf_ndxscn(shs);
	eh->e_phoff = sizeof(Elf32_Ehdr);
	eh->e_shoff = (at + 3u) & ~3u;
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	bool ok = elf_update(elf, ELF_C_WRITE) >= 0;
	elf_end(elf);
	close(fd);
	return ok;
}

#endif
