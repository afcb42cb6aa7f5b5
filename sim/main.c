/*
 * main.c - shepherd-pru-sim: a stand-in for the PRUs and the shepherd kernel module.
 *
 * Creates ROOT/sysfs (the files of /sys/shepherd) and ROOT/mem (a file standing in for physical
 * memory: file offset = physical address), places the four rings at a page-aligned address and
 * produces harvest samples in real time or faster. Both paths are printed at start; everything is
 * removed again on SIGINT/SIGTERM unless --keep is given.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pru/shepherd_abi.h"
#include "pru_model.h"
#include "sim_eeprom.h"
#include "sim_sysfs.h"

#define SIM_VERSION "0.1.0"
#define RING_BASE 0x01000000ull /* "physical" address of the carve-out */

/* The harvest transducer's parameters (src/twin/twin_solar.c), for --help. */
#define SOLAR_HELP                                                                                 \
	"  a 4-cell single-diode module, series resistance 0, under light g at sample k:\n"        \
	"  I(V) = max(0, g * I_ph - I_0 * (exp(V / nV_t) - 1) - V / R_sh), I_ph = 35 mA,\n"        \
	"  I_0 = 2.5 nA, nV_t = 4 cells * ideality 1.5 * kT/q at 300 K = 0.155 V,\n"               \
	"  R_sh = 5 kOhm: V_oc 2.33 V at a quarter light (MPP 1.92 V, 14.9 mW), 2.55 V\n"          \
	"  at full light (MPP 2.13 V, 68.7 mW). g = (0.25 + 0.75 * tri) * (1 + 0.03 * fl)\n"       \
	"  with tri the 20 s triangle 0..1 and fl the 100 Hz triangle -1..1 of k, the same\n"      \
	"  for every seed. A set point above V_oc reads V_oc and no current. ADC noise,\n"         \
	"  zero-mean from splitmix64 of k and the seed: at most +-32 voltage and +-256\n"          \
	"  current codes.\n"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fputs("Usage: shepherd-pru-sim [OPTIONS]\n"
	      "\n"
	      "Stand-in for the Shepherd PRUs and kernel module. Creates ROOT/sysfs (the files of\n"
	      "/sys/shepherd) and ROOT/mem (physical memory: file offset = address) and produces\n"
	      "samples into the rings. Point the sheep at it with\n"
	      "  shepherd-sheep --sysfs-root ROOT/sysfs --mem-device ROOT/mem run TASK.yaml\n"
	      "\n"
	      "Options:\n"
	      "  -r, --root DIR      where to create the files (default /dev/shm/shepherd-sim)\n"
	      "  -s, --speed X|max   run X times faster than real time, or as fast as possible\n"
	      "                      (default 1); timestamps stay on the 10 us grid\n"
	      "      --seed N        seed of the deterministic signal (default 1)\n"
	      "      --no-overrun    lock-step: wait while the IV-out ring is more than half\n"
	      "                      full, so that a slow reader (valgrind, qemu) loses\n"
	      "                      nothing; creates sysfs/sim_lockstep, which tells the\n"
	      "                      sheep to mark what it consumed (it never does on a node)\n"
	      "      --emulation loopback|model\n"
	      "                      what PRU0 does in the emulator mode (default model):\n"
	      "                      loopback copies each input sample (uV, nA) to the output\n"
	      "                      as emu_loopback does; model runs the PRU's twin, PRU0's\n"
	      "                      firmware math bit for bit, with the target below\n"
	      "      --target SPEC   the load on the emulator's output (default resistor:1000):\n"
	      "                      resistor:OHM, current:A[:SLEEP_A], power:W[:SLEEP_W] or\n"
	      "                      none, each optionally followed by :controlled (below)\n"
	      "      --harvest cell|formula\n"
	      "                      what the harvest modes record (default cell): cell runs\n"
	      "                      the recording harvester of the settings on a solar cell\n"
	      "                      (below); formula is the older integer signal below\n"
	      "      --gpio-rate HZ  PRU1 edge events per second while running (default 0: none;\n"
	      "                      up to 1.5 MHz like the real PRU1, more for stress tests)\n"
	      "      --gpio-burst ON_MS:PERIOD_MS\n"
	      "                      events only in the first ON_MS of every PERIOD_MS\n"
	      "      --fault KIND@S[:ARG]\n"
	      "                      inject a fault when the sample at start + S seconds is due\n"
	      "                      (repeatable): canary@S:RING (iv_inp, iv_out, gpio, util),\n"
	      "                      jump@S:N (timestamps jump by N samples, N < 0 repeats),\n"
	      "                      stall@S:MS (pause, then catch up), stop@S (no more\n"
	      "                      samples), restart@S (reset, message 0xF0), error@S:CODE\n"
	      "                      (PRU message CODE, e.g. 0xE3)\n"
	      "      --program-fault no-target|verify|write|parse[:N]\n"
	      "                      the programmer's first N starts (default: all) fail:\n"
	      "                      no target answers (ERR_OPEN), the first word reads back\n"
	      "                      wrong (0x94, ERR_VERIFY) or cannot be written (0x93,\n"
	      "                      ERR_WRITE), the first record is a parse error (0x96, 12)\n"
	      "      --eeprom nominal|sample|erased|none|CAL.yaml\n"
	      "                      the cape EEPROM ROOT/eeprom (640 bytes; default nominal):\n"
	      "                      nominal calibration with serial number sim0001, sample =\n"
	      "                      the test cape file test_cal_data.yaml (serial xyz1),\n"
	      "                      erased = all 0xFF, none = no file, or the calibration (and\n"
	      "                      cape:) of a CalibrationCape YAML file; point the sheep at\n"
	      "                      it with --eeprom ROOT/eeprom or SHEPHERD_EEPROM\n"
	      "      --keep          leave the files in place on exit\n"
	      "  -v, --verbose       log state changes, sysfs writes and messages\n"
	      "      --version       print the version and exit\n"
	      "  -h, --help          show this help and exit\n"
	      "\n"
	      "Deviations from the kernel module (plain files cannot refuse a write):\n"
	      "  * A write that sysfs would reject with -EBUSY or -EINVAL (time_start in the past\n"
	      "    or while not idle, time_stop while idle, mode while running, an unknown mode)\n"
	      "    is ignored; the simulator posts message 0xE0 (invalid command) to pru_msg_box,\n"
	      "    logs the reason on stderr and leaves `state` unchanged.\n"
	      "  * pru_msg_box is a FIFO that holds one record (\"type v0 v1\" or \"0 \"); a read\n"
	      "    pops it and the next record appears within ~5 ms. Readers should open it\n"
	      "    non-blocking (an empty FIFO then reads as empty). Writing to it is not\n"
	      "    supported.\n"
	      "  * time_start and time_stop read back `None` once the write was processed.\n"
	      "  * An empty write is ignored (it is taken for a write still in progress).\n"
	      "  * calibration_settings, virtual_converter_settings, virtual_harvester_settings\n"
	      "    are checked and kept as the kernel module does: taken only while idle and with\n"
	      "    all tokens (6 / 180 / 12 decimal numbers in their u32 or i32 range; extra\n"
	      "    trailing ones ignored; an input-LUT number above 255 keeps its low byte, with a\n"
	      "    warning on stderr), then shown in the kernel's read format. A refused write puts\n"
	      "    the last accepted values back into the file, posts 0xE0 and logs the reason.\n"
	      "    PRU0 reads them, with dac_auxiliary_voltage_raw, at every reset (a mode or\n"
	      "    aux write, time_stop now while not idle, a restart fault) and applies what it\n"
	      "    read when the run starts: the twin and the cell use only these values.\n"
	      "  * They hold the kernel's test patterns at start and after every write of\n"
	      "    pru0_firmware or pru1_firmware (taken only while idle).\n"
	      "\n"
	      "Firmware (node-control.md 1.4): pru0_firmware takes what the kernel takes: a text\n"
	      "starting with emu, hrv, swd, sbw or a full name loads that firmware, anything else\n"
	      "the EMU one; the file then reads the full name, the settings and programmer\n"
	      "blocks get their defaults, and PRU0 boots: idle, mode none, aux 0, ring indices\n"
	      "\"none yet\", message 0xF0. pru1_firmware: a text starting with sync changes\n"
	      "nothing (logged), anything else reloads am335x-pru1-shepherd-fw (the settings\n"
	      "and programmer blocks get their defaults; PRU0's mode and aux word stay). At\n"
	      "start: EMU and PRU1. PRU0 acts only as its firmware would: EMU takes the modes\n"
	      "emulator, emu_adc_read, emu_loopback, debug, none; HRV harvester, hrv_adc_read,\n"
	      "debug, none (another mode: 0xE0, the reason on stderr); the programmer firmwares\n"
	      "SWD and SBW take every mode (they ignore it) and never sample: a time_start is\n"
	      "refused with 0xE0. In the modes none and debug a run records as a harvest.\n"
	      "  * gpio_tracer_mask is stored as written; an aux word written while idle resets\n"
	      "    the PRU (message 0xF0), as the kernel's does.\n"
	      "  * While stopping after time_stop, `state` reads `unknown`, as on hardware.\n"
	      "  * gpio_tracer_mask is latched at the start; events only carry its bits.\n"
	      "\n"
	      "Emulation: PRU0 reads one input sample per output sample, from slot 0 after a\n"
	      "reset, and sets the input idx_pru to the slot just read. Like the real PRU it\n"
	      "does not wait for idx_sys: reading a slot the sheep has not written yet replays\n"
	      "stale input, which is counted and reported on stderr (at most once a second).\n"
	      "With --no-overrun it waits for the input instead.\n"
	      "\n"
	      "The model: PRU0's twin (src/twin/twin.h) as the EMU firmware runs it: converter,\n"
	      "storage, output and its harvester from the three settings blocks and the aux\n"
	      "word the sheep wrote (the firmware is loaded at start and on every pru0_firmware\n"
	      "write; the settings are re-read at every reset and applied at the run's start).\n"
	      "A harvester algorithm the firmware rejects posts message 0xE8. The output holds\n"
	      "the DAC code of channel B and the current ADC code of the target, in integers,\n"
	      "from the DAC code of the previous sample n - 1 (before the first one: 0, or the\n"
	      "aux code when the aux channel is linked to main, as the firmware's init sets):\n"
	      "  V_uV(n) = floor(dac_code(n-1) * 10^6 / 13107)\n"
	      "  resistor:OHM        I_nA = floor(V_uV * 1000 / OHM), OHM with up to 3 decimals\n"
	      "                      (floor(V_uV * 10^6 / mOHM))\n"
	      "  current:A[:SLEEP_A] I_nA = round(A * 10^9) (half to even), 0 while V_uV = 0\n"
	      "  power:W[:SLEEP_W]   I_nA = floor(nW * 10^6 / V_uV), 0 while V_uV = 0\n"
	      "  none                I_nA = 0\n"
	      "  ADC code = min(2^18 - 1, floor(I_nA * 4915200 / 10^9))\n"
	      "A trailing :controlled makes the target follow power-good (BAT_OK) of sample\n"
	      "n - 1: while it is low a current or power target draws SLEEP (none given: 0)\n"
	      "and a resistor draws nothing.\n"
	      "\n"
	      "PRU1 in an emulation through the model: BAT_OK (power-good) is GPIO trace bit 9\n"
	      "(if the tracer mask has it): every event carries power-good after the sample it\n"
	      "falls in, and a change of power-good is an event of its own at that sample's\n"
	      "timestamp (one event with a scheduled one at the same time); the schedule's\n"
	      "counter (below) is spread over the mask's other bits. While the output is below\n"
	      "V_output_log_gpio_threshold the firmware pauses GPIO logging: no event of such a\n"
	      "sample is recorded. Loopback, emu_loopback and the harvest modes leave bit 9 to\n"
	      "the schedule.\n"
	      "\n"
	      "Harvest, cell: the recording harvester of virtual_harvester_settings (the HRV\n"
	      "firmware's twin) sets the cell's voltage through the DAC, every sample k of the\n"
	      "run reads its voltage and current ADC codes through calibration_settings, and\n"
	      "the harvester stores them as it would (src/twin/twin_solar.h). The cell:\n" SOLAR_HELP
	      "\n"
	      "Harvest, formula (sim/signal_model.h; 64-bit integers, / truncates; n = timestamp\n"
	      "/ 10 us, r = splitmix64(n + seed * 0xD1B54A32D192ED03), tri(p, P) = p < P/2 ?\n"
	      "p : P - p):\n"
	      "  light  = 16384 + tri(n mod 2000000, 2000000) * 49152 / 1000000\n"
	      "  lightf = light - light / 32 + light * tri(n mod 1000, 1000) / 8000\n"
	      "  current = clamp18(lightf * 150000 / 65536 + (r & 0x3FF) - 512)\n"
	      "  voltage = clamp18(98000 + lightf * 8000 / 65536 + ((r >> 10) & 0x7F) - 64)\n"
	      "\n"
	      "GPIO events: dt = round(1e9 / HZ) ns apart (in bursts: per_period =\n"
	      "ceil(ON / dt) events at the start of each period); event k (from 0) is at\n"
	      "start + (k / per_period) * PERIOD + (k % per_period) * dt and carries the bits\n"
	      "of k + 1 spread over the set bits of the mask (lowest first).\n"
	      "\n"
	      "Programmer (sysfs programmer/*, with the SWD or SBW firmware on PRU0): a start\n"
	      "parses the Intel-HEX text at offset 0 of the IV-input region and writes it into\n"
	      "a target model of the port target_io_sel selects (ROOT/gpio/gpio30, port A\n"
	      "without it) and the MCU: 1 MiB from address 0, starting as 0xFF; nRF52 erased\n"
	      "first, writes AND; MSP430FR writes replace, 0xFF80-0xFF87 refused. After each\n"
	      "run ROOT/target_<A|B>_<nrf52|msp430>.bin holds the whole memory (byte k =\n"
	      "address k) and ROOT/target_<A|B>_<nrf52|msp430>.ranges the addresses that run\n"
	      "wrote, one line \"0xSTART 0xEND\" (END exclusive) per merged range.\n",
	      out);
}

static int write_memory_files(struct sim_sysfs *sysfs)
{
	static const char *const names[] = {"iv_inp", "iv_out", "gpio", "util"};
	static const uint64_t offsets[] = {SHP_CARVEOUT_IV_INP_OFF, SHP_CARVEOUT_IV_OUT_OFF,
					   SHP_CARVEOUT_GPIO_OFF, SHP_CARVEOUT_UTIL_OFF};
	static const uint64_t sizes[] = {SHP_IV_INP_SIZE, SHP_IV_OUT_SIZE, SHP_GPIO_SIZE,
					 SHP_UTIL_SIZE};
	char name[64];
	for (int r = 0; r < 4; r++) {
		snprintf(name, sizeof(name), "memory/%s_address", names[r]);
		if (sim_sysfs_publish_u64(sysfs, name, RING_BASE + offsets[r]) != 0)
			return -1;
		snprintf(name, sizeof(name), "memory/%s_size", names[r]);
		if (sim_sysfs_publish_u64(sysfs, name, sizes[r]) != 0)
			return -1;
	}
	static const char *const zeros[] = {"sync/error",
					    "sync/error_sum",
					    "sync/correction",
					    "gpio_tracer_mask",
					    "dac_auxiliary_voltage_raw",
					    NULL};
	for (int k = 0; zeros[k]; k++)
		if (sim_sysfs_publish(sysfs, zeros[k], "0") != 0)
			return -1;
	return 0; /* the settings and firmware files: sim_pru_init() */
}

static uint8_t *map_memory(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	uint8_t *p = MAP_FAILED;
	if (ftruncate(fd, (off_t)(RING_BASE + SHP_CARVEOUT_SIZE)) == 0)
		p = mmap(NULL, SHP_CARVEOUT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 (off_t)RING_BASE);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void init_rings(uint8_t *base)
{
	/* as after firmware boot: indices "none yet", canaries in place */
	static const uint32_t idx_offs[] = {SHP_CARVEOUT_IV_INP_OFF, SHP_CARVEOUT_IV_OUT_OFF,
					    SHP_CARVEOUT_GPIO_OFF, SHP_CARVEOUT_UTIL_OFF};
	static const uint32_t canary_offs[] = {SHP_CARVEOUT_IV_INP_OFF + SHP_IV_INP_CANARY_OFF,
					       SHP_CARVEOUT_IV_OUT_OFF + SHP_IV_OUT_CANARY_OFF,
					       SHP_CARVEOUT_GPIO_OFF + SHP_GPIO_CANARY_OFF,
					       SHP_CARVEOUT_UTIL_OFF + SHP_UTIL_CANARY_OFF};
	uint32_t none = SHP_IDX_OUT_OF_BOUND, canary = SHP_CANARY_VALUE_U32;
	for (int r = 0; r < 4; r++) {
		memcpy(base + idx_offs[r], &none, 4);
		memcpy(base + canary_offs[r], &canary, 4);
	}
}

static void remove_target_dumps(const char *root)
{
	static const char *const ext[] = {"bin", "ranges"};
	char path[PATH_MAX + 40];
	for (int port = 0; port < 2; port++)
		for (int m = 0; m < SIM_MCU_COUNT; m++)
			for (int e = 0; e < 2; e++) {
				snprintf(path, sizeof(path), "%s/target_%c_%s.%s", root, 'A' + port,
					 sim_mcu_name((enum sim_mcu)m), ext[e]);
				unlink(path);
			}
}

static int claim_root(const char *root)
{
	char pidfile[PATH_MAX + 8];
	snprintf(pidfile, sizeof(pidfile), "%s/pid", root);
	FILE *f = fopen(pidfile, "r");
	if (f) {
		int pid = 0;
		if (fscanf(f, "%d", &pid) == 1 && pid > 0 && kill(pid, 0) == 0) {
			fclose(f);
			fprintf(stderr, "shepherd-pru-sim: another simulator (pid %d) uses %s\n",
				pid, root);
			return -1;
		}
		fclose(f);
	}
	f = fopen(pidfile, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, 'r'},
		{"speed", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"no-overrun", no_argument, NULL, 'o'},
		{"keep", no_argument, NULL, 'k'},
		{"emulation", required_argument, NULL, 'e'},
		{"target", required_argument, NULL, 't'},
		{"harvest", required_argument, NULL, 'H'},
		{"gpio-rate", required_argument, NULL, 'g'},
		{"gpio-burst", required_argument, NULL, 'b'},
		{"fault", required_argument, NULL, 'f'},
		{"eeprom", required_argument, NULL, 'E'},
		{"program-fault", required_argument, NULL, 'P'},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *root = "/dev/shm/shepherd-sim";
	struct sim_pru pru;
	memset(&pru, 0, sizeof(pru));
	pru.speed = 1.0;
	pru.seed = 1;
	char why[160];
	if (!twin_target_parse("resistor:1000", &pru.target, why, sizeof(why)))
		return 1;
	double gpio_rate = 0, burst_on = 0, burst_period = 0;
	bool keep = false;
	struct sim_eeprom eeprom;
	sim_eeprom_parse("nominal", &eeprom);
	int c;
	while ((c = getopt_long(argc, argv, "r:s:vh", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 's':
			if (strcmp(optarg, "max") == 0) {
				pru.speed = 0;
				break;
			}
			pru.speed = strtod(optarg, &end);
			if (*end || end == optarg || !(pru.speed > 0 && pru.speed <= 100000)) {
				fprintf(stderr,
					"shepherd-pru-sim: --speed takes a factor > 0 or 'max', "
					"not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			pru.seed = strtoull(optarg, &end, 10);
			if (*end || end == optarg) {
				fprintf(stderr,
					"shepherd-pru-sim: --seed takes an integer, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			pru.lockstep = true;
			break;
		case 'k':
			keep = true;
			break;
		case 'e':
			if (strcmp(optarg, "loopback") == 0) {
				pru.emulation = SIM_EMU_LOOPBACK;
			} else if (strcmp(optarg, "model") == 0) {
				pru.emulation = SIM_EMU_MODEL;
			} else {
				fprintf(stderr,
					"shepherd-pru-sim: --emulation takes loopback or model, "
					"not "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			if (!twin_target_parse(optarg, &pru.target, why, sizeof(why))) {
				fprintf(stderr, "shepherd-pru-sim: --target '%s': %s\n", optarg,
					why);
				return 2;
			}
			break;
		case 'H':
			if (strcmp(optarg, "cell") == 0) {
				pru.harvest = SIM_HRV_CELL;
			} else if (strcmp(optarg, "formula") == 0) {
				pru.harvest = SIM_HRV_FORMULA;
			} else {
				fprintf(stderr,
					"shepherd-pru-sim: --harvest takes cell or formula, not "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'g':
			gpio_rate = strtod(optarg, &end);
			if (*end || end == optarg || !(gpio_rate >= 0 && gpio_rate <= 1e8)) {
				fprintf(stderr,
					"shepherd-pru-sim: --gpio-rate takes events per second "
					"from 0 "
					"to 1e8, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'f':
			if (pru.nfaults == SIM_MAX_FAULTS) {
				fprintf(stderr, "shepherd-pru-sim: at most %d --fault options\n",
					SIM_MAX_FAULTS);
				return 2;
			}
			if (!sim_fault_parse(optarg, &pru.faults[pru.nfaults]))
				return 2;
			pru.nfaults++;
			break;
		case 'b':
			if (sscanf(optarg, "%lf:%lf%c", &burst_on, &burst_period, &(char){0}) !=
				    2 ||
			    !(burst_on > 0 && burst_period >= burst_on)) {
				fprintf(stderr,
					"shepherd-pru-sim: --gpio-burst takes ON_MS:PERIOD_MS with "
					"0 < "
					"ON_MS <= PERIOD_MS, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'E':
			if (!sim_eeprom_parse(optarg, &eeprom))
				return 2;
			break;
		case 'P':
			if (!sim_prog_parse_fault(&pru.prog, optarg))
				return 2;
			break;
		case 'v':
			pru.verbose = 1;
			break;
		case 'V':
			printf("shepherd-pru-sim %s\n", SIM_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "shepherd-pru-sim: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (gpio_schedule_init(&pru.gpio_sched, gpio_rate, burst_on, burst_period) != 0) {
		fprintf(stderr, "shepherd-pru-sim: GPIO rate and bursts do not fit together\n");
		return 2;
	}

	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "shepherd-pru-sim: cannot create %s: %s\n", root, strerror(errno));
		return 1;
	}
	if (claim_root(root) != 0)
		return 1;
	char sysfs_dir[PATH_MAX], mem_path[PATH_MAX], pid_path[PATH_MAX], eeprom_path[PATH_MAX];
	snprintf(sysfs_dir, sizeof(sysfs_dir), "%s/sysfs", root);
	snprintf(mem_path, sizeof(mem_path), "%s/mem", root);
	snprintf(pid_path, sizeof(pid_path), "%s/pid", root);
	snprintf(eeprom_path, sizeof(eeprom_path), "%s/" SIM_EEPROM_FILE, root);

	struct sim_sysfs sysfs = {.inotify_fd = -1};
	uint8_t *mem = map_memory(mem_path);
	if (!mem || sim_sysfs_create(&sysfs, sysfs_dir) != 0 || write_memory_files(&sysfs) != 0 ||
	    (pru.lockstep && sim_sysfs_publish(&sysfs, SHP_SYSFS_SIM_LOCKSTEP, "1") != 0) ||
	    sim_eeprom_create(&eeprom, eeprom_path) != 0) {
		fprintf(stderr, "shepherd-pru-sim: cannot set up %s: %s\n", root, strerror(errno));
		unlink(pid_path);
		return 1;
	}
	init_rings(mem);
	pru.sysfs = &sysfs;
	pru.iv_inp = mem + SHP_CARVEOUT_IV_INP_OFF;
	pru.iv_out = mem + SHP_CARVEOUT_IV_OUT_OFF;
	pru.gpio = mem + SHP_CARVEOUT_GPIO_OFF;
	pru.util = mem + SHP_CARVEOUT_UTIL_OFF;
	snprintf(pru.root, sizeof(pru.root), "%s", root);
	if (!sim_pru_init(&pru)) {
		fprintf(stderr, "shepherd-pru-sim: no memory for PRU0's twin\n");
		sim_sysfs_remove(&sysfs);
		unlink(mem_path);
		unlink(eeprom_path);
		unlink(pid_path);
		return 1;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	char speed[32];
	if (pru.speed > 0)
		snprintf(speed, sizeof(speed), "%gx", pru.speed);
	else
		snprintf(speed, sizeof(speed), "max");
	printf("shepherd-pru-sim %s: sysfs %s, memory %s (rings at 0x%llx), speed %s%s\n",
	       SIM_VERSION, sysfs_dir, mem_path, RING_BASE, speed,
	       pru.lockstep ? ", lock-step" : "");
	printf("export SHEPHERD_SYSFS_ROOT=%s SHEPHERD_MEM_DEVICE=%s%s%s\n", sysfs_dir, mem_path,
	       eeprom.present ? " SHEPHERD_EEPROM=" : "", eeprom.present ? eeprom_path : "");
	printf("ready\n");
	fflush(stdout);

	struct pollfd pfd = {.fd = sysfs.inotify_fd, .events = POLLIN};
	int timeout = 0;
	while (!stop_signal) {
		if (poll(&pfd, 1, timeout) > 0)
			sim_sysfs_events(&sysfs, sim_pru_on_event, &pru);
		timeout = sim_pru_step(&pru);
	}

	sim_pru0_close(&pru);
	sim_prog_close(&pru.prog);
	munmap(mem, SHP_CARVEOUT_SIZE);
	if (!keep) {
		sim_sysfs_remove(&sysfs);
		unlink(mem_path);
		unlink(eeprom_path);
		unlink(pid_path);
		remove_target_dumps(root);
		rmdir(root);
	}
	return 0;
}
