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

#include "common/version.h"
#include "gpio_tree.h"
#include "pru/shepherd_abi.h"
#include "pru_model.h"
#include "sim_eeprom.h"
#include "sim_env.h"
#include "sim_module.h"
#include "sim_sysfs.h"

#define RING_BASE 0x01000000ull /* "physical" address of the carve-out */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* the programmer's target models (sim_targets.h) */
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
		{"module", required_argument, NULL, 'm'},
		{"module-fail", required_argument, NULL, 'F'},
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
	struct sim_module module = {.loaded = true};
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
		case 'P':
			if (!sim_prog_parse_fault(&pru.prog, optarg))
				return 2;
			break;
		case 'E':
			if (!sim_eeprom_parse(optarg, &eeprom))
				return 2;
			break;
		case 'm':
			if (strcmp(optarg, "loaded") != 0 && strcmp(optarg, "unloaded") != 0) {
				fprintf(stderr,
					"shepherd-pru-sim: --module takes loaded or unloaded, not "
					"'%s'\n",
					optarg);
				return 2;
			}
			module.loaded = strcmp(optarg, "loaded") == 0;
			break;
		case 'F': {
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-' || n > 1000) {
				fprintf(stderr,
					"shepherd-pru-sim: --module-fail takes a count from 0 to "
					"1000, not '%s'\n",
					optarg);
				return 2;
			}
			module.fail_next = (unsigned)n;
			break;
		}
		case 'v':
			pru.verbose = 1;
			break;
		case 'V':
			printf("shepherd-pru-sim %s\n", SHEEP_VERSION);
			return 0;
		case 'h':
			sim_usage(stdout);
			return 0;
		default:
			sim_usage(stderr);
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
	char gpio_dir[PATH_MAX], gpio_log[PATH_MAX], aux_path[PATH_MAX + 32], env_path[PATH_MAX];
	snprintf(sysfs_dir, sizeof(sysfs_dir), "%s/sysfs", root);
	snprintf(mem_path, sizeof(mem_path), "%s/mem", root);
	snprintf(pid_path, sizeof(pid_path), "%s/pid", root);
	snprintf(eeprom_path, sizeof(eeprom_path), "%s/" SIM_EEPROM_FILE, root);
	snprintf(gpio_dir, sizeof(gpio_dir), "%s/gpio", root);
	snprintf(gpio_log, sizeof(gpio_log), "%s/gpio.log", root);
	snprintf(env_path, sizeof(env_path), "%s/env", root);
	snprintf(aux_path, sizeof(aux_path), "%s/" SHP_SYSFS_AUX_VOLTAGE, sysfs_dir);
	struct sim_gpio_tree *gpio = calloc(1, sizeof(*gpio));
	if (!gpio || sim_gpio_tree_open(gpio, gpio_dir, gpio_log, aux_path, pru.verbose) != 0) {
		fprintf(stderr, "shepherd-pru-sim: cannot set up the GPIO tree %s: %s\n", gpio_dir,
			strerror(errno));
		if (gpio)
			sim_gpio_tree_close(gpio, false);
		free(gpio);
		unlink(pid_path);
		return 1;
	}

	struct sim_sysfs sysfs = {.inotify_fd = -1};
	uint8_t *mem = map_memory(mem_path);
	if (!mem || sim_sysfs_create(&sysfs, sysfs_dir) != 0 ||
	    (pru.lockstep && sim_sysfs_publish(&sysfs, SHP_SYSFS_SIM_LOCKSTEP, "1") != 0) ||
	    sim_eeprom_create(&eeprom, eeprom_path) != 0) {
		fprintf(stderr, "shepherd-pru-sim: cannot set up %s: %s\n", root, strerror(errno));
		sim_gpio_tree_close(gpio, false);
		unlink(pid_path);
		return 1;
	}
	pru.sysfs = &sysfs;
	snprintf(pru.root, sizeof(pru.root), "%s", root);
	pru.iv_inp = mem + SHP_CARVEOUT_IV_INP_OFF;
	pru.iv_out = mem + SHP_CARVEOUT_IV_OUT_OFF;
	pru.gpio = mem + SHP_CARVEOUT_GPIO_OFF;
	pru.util = mem + SHP_CARVEOUT_UTIL_OFF;
	module.sysfs = &sysfs;
	module.pru = &pru;
	module.carveout = mem;
	module.carveout_addr = RING_BASE;
	module.verbose = pru.verbose;
	if ((module.loaded && sim_module_load(&module) != 0) || sim_module_publish(&module) != 0) {
		fprintf(stderr, "shepherd-pru-sim: cannot load the module's stand-in: %s\n",
			strerror(errno));
		sim_pru0_close(&pru);
		sim_gpio_tree_close(gpio, false);
		sim_sysfs_remove(&sysfs);
		unlink(mem_path);
		unlink(eeprom_path);
		unlink(pid_path);
		return 1;
	}

	struct sim_paths paths = {.sysfs = sysfs_dir,
				  .mem = mem_path,
				  .eeprom = eeprom.present ? eeprom_path : NULL,
				  .gpio = gpio_dir};
	if (sim_env_write(env_path, &paths) != 0)
		fprintf(stderr, "shepherd-pru-sim: warning: cannot write %s: %s\n", env_path,
			strerror(errno));

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
	       SHEEP_VERSION, sysfs_dir, mem_path, RING_BASE, speed,
	       pru.lockstep ? ", lock-step" : "");
	printf("export SHEPHERD_SYSFS_ROOT=%s SHEPHERD_MEM_DEVICE=%s%s%s\n", sysfs_dir, mem_path,
	       eeprom.present ? " SHEPHERD_EEPROM=" : "", eeprom.present ? eeprom_path : "");
	printf("env %s (. it: the sheep's variables for this simulator), GPIO tree %s\n", env_path,
	       gpio_dir);
	printf("module %s%s\n", module.loaded ? "loaded" : "unloaded",
	       module.fail_next ? " (its next requests fail: --module-fail)" : "");
	printf("ready\n");
	fflush(stdout);

	struct pollfd pfd[2] = {{.fd = sysfs.inotify_fd, .events = POLLIN},
				{.fd = gpio->inotify_fd, .events = POLLIN}};
	int timeout = 0;
	while (!stop_signal) {
		if (poll(pfd, 2, timeout) > 0) {
			if (pfd[0].revents)
				sim_sysfs_events(&sysfs, sim_module_on_event, &module);
			if (pfd[1].revents)
				sim_gpio_tree_events(gpio);
			else
				sim_gpio_cape_report(gpio); /* an aux word may have changed */
		}
		timeout = module.loaded ? sim_pru_step(&pru) : 50;
	}

	sim_pru0_close(&pru);
	sim_prog_close(&pru.prog);
	sim_gpio_tree_close(gpio, keep);
	free(gpio);
	munmap(mem, SHP_CARVEOUT_SIZE);
	if (!keep) {
		sim_sysfs_remove(&sysfs);
		unlink(mem_path);
		unlink(eeprom_path);
		unlink(env_path);
		unlink(pid_path);
		remove_target_dumps(root);
		rmdir(root);
	}
	return 0;
}
