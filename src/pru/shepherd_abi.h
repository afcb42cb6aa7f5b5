/*
 * shepherd_abi.h - the shared-memory ABI between the PRUs (or shepherd-pru-sim) and the sheep.
 *
 * Everything both sides must agree on lives here and nowhere else: timing constants, the four
 * ring layouts in the DDR carve-out, index semantics, PRU modes, states and message codes.
 * The structs are packed and little endian exactly as the PRU firmware lays them out; every size
 * and offset is checked against the figures of sheep-datapath.md section 1 at compile time.
 *
 * Ring fields are accessed through byte offsets (see the *_OFF constants), not through the packed
 * structs: the u64 arrays sit at offset 4 inside their struct, which is 8-byte aligned only
 * relative to the carve-out base, so taking a pointer to a packed member would be flagged.
 */
#ifndef SHEPHERD_ABI_H
#define SHEPHERD_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- timing ------------------------------------------------------------------------------ */
#define SHP_SAMPLE_INTERVAL_NS 10000u   /* one IV sample every 10 us */
#define SHP_SAMPLE_RATE_SPS 100000u     /* 100 kS/s */
#define SHP_SYNC_INTERVAL_NS 100000000u /* 100 ms PRU sync window */
#define SHP_SAMPLES_PER_SYNC 10000u     /* samples per 100 ms window */
#define SHP_NS_PER_S 1000000000ull

/* ---- ring sizes -------------------------------------------------------------------------- */
#define SHP_IV_INP_SAMPLES_LOG2 20u
#define SHP_IV_INP_SAMPLES_N (1u << SHP_IV_INP_SAMPLES_LOG2) /* 1 048 576, ~10.49 s */
#define SHP_IV_OUT_SAMPLES_N 600000u                         /* 6.0 s */
#define SHP_GPIO_SAMPLES_N 3000000u                          /* ~2.5 s at 1.2 MHz */
#define SHP_UTIL_SAMPLES_N 400u                              /* one per 100 ms, 40 s */

#define SHP_IDX_OUT_OF_BOUND 0xFFFFFFFFu /* "no index yet" */
#define SHP_CANARY_VALUE_U32 0xDEBAC1E5u

/*
 * Consumer marks, a convention between the sheep and shepherd-pru-sim only: in lock-step
 * (--no-overrun, for measurements under an instruction counter) the simulator creates the sysfs
 * file SHP_SYSFS_SIM_LOCKSTEP, which the kernel module never has; only then does the sheep,
 * after consuming IV-out samples, clear the timestamp of every consumed slot whose index is a
 * multiple of SHP_IV_OUT_MARK_INTERVAL, and the simulator waits while the mark half a ring
 * ahead of its write position is still set. On a node the sheep never writes into PRU0's output
 * ring while it runs (it zeroes the rings at set-up, with the PRU reset).
 */
#define SHP_IV_OUT_MARK_INTERVAL 1000u

/* ---- ring layouts (packed, little endian) ------------------------------------------------ */
#pragma pack(push, 1)
struct shp_iv_sample {
	uint32_t voltage; /* uV */
	uint32_t current; /* nA */
};

/* IV input for emulation: the sheep writes, PRU0 reads. */
struct shp_iv_inp_ring {
	uint32_t idx_pru; /* index of the sample PRU0 has just fetched */
	uint32_t idx_sys; /* next free slot, published by user space */
	struct shp_iv_sample sample[SHP_IV_INP_SAMPLES_N];
	uint32_t canary;
};

/* IV output (harvest or emulation result): PRU0 writes, the sheep reads. */
struct shp_iv_out_ring {
	uint32_t idx_pru; /* index of the sample just written */
	uint64_t timestamp_ns[SHP_IV_OUT_SAMPLES_N];
	uint32_t voltage[SHP_IV_OUT_SAMPLES_N];
	uint32_t current[SHP_IV_OUT_SAMPLES_N];
	uint32_t canary;
};

/* GPIO edges: PRU1 writes, the sheep reads. */
struct shp_gpio_ring {
	uint32_t idx_pru; /* next free slot (count style) */
	uint64_t timestamp_ns[SHP_GPIO_SAMPLES_N];
	uint16_t bitmask[SHP_GPIO_SAMPLES_N];
	uint32_t canary;
};

/* PRU utilisation, one entry per 100 ms: PRU1 writes, the sheep reads. */
struct shp_util_ring {
	uint32_t idx_pru; /* index of the entry just written */
	uint64_t timestamp_ns[SHP_UTIL_SAMPLES_N];
	uint32_t pru0_tsample_ns_max[SHP_UTIL_SAMPLES_N];
	uint32_t pru0_tsample_ns_sum[SHP_UTIL_SAMPLES_N];
	uint32_t pru0_sample_count[SHP_UTIL_SAMPLES_N];
	uint32_t pru1_tsample_ns_max[SHP_UTIL_SAMPLES_N];
	uint32_t canary;
};
#pragma pack(pop)

/* Byte offsets inside each ring struct. */
#define SHP_IV_INP_IDX_PRU_OFF 0u
#define SHP_IV_INP_IDX_SYS_OFF 4u
#define SHP_IV_INP_SAMPLE_OFF 8u
#define SHP_IV_INP_CANARY_OFF 8388616u
#define SHP_IV_INP_SIZE 8388620u

#define SHP_IV_OUT_IDX_OFF 0u
#define SHP_IV_OUT_TS_OFF 4u
#define SHP_IV_OUT_V_OFF 4800004u
#define SHP_IV_OUT_I_OFF 7200004u
#define SHP_IV_OUT_CANARY_OFF 9600004u
#define SHP_IV_OUT_SIZE 9600008u

#define SHP_GPIO_IDX_OFF 0u
#define SHP_GPIO_TS_OFF 4u
#define SHP_GPIO_MASK_OFF 24000004u
#define SHP_GPIO_CANARY_OFF 30000004u
#define SHP_GPIO_SIZE 30000008u

#define SHP_UTIL_IDX_OFF 0u
#define SHP_UTIL_TS_OFF 4u
#define SHP_UTIL_P0_MAX_OFF 3204u
#define SHP_UTIL_P0_SUM_OFF 4804u
#define SHP_UTIL_P0_COUNT_OFF 6404u
#define SHP_UTIL_P1_MAX_OFF 8004u
#define SHP_UTIL_CANARY_OFF 9604u
#define SHP_UTIL_SIZE 9608u

/* The carve-out holds the four rings back to back in this order. */
#define SHP_CARVEOUT_IV_INP_OFF 0u
#define SHP_CARVEOUT_IV_OUT_OFF SHP_IV_INP_SIZE
#define SHP_CARVEOUT_GPIO_OFF (SHP_CARVEOUT_IV_OUT_OFF + SHP_IV_OUT_SIZE)
#define SHP_CARVEOUT_UTIL_OFF (SHP_CARVEOUT_GPIO_OFF + SHP_GPIO_SIZE)
#define SHP_CARVEOUT_SIZE (SHP_CARVEOUT_UTIL_OFF + SHP_UTIL_SIZE)

_Static_assert(sizeof(struct shp_iv_sample) == 8, "IV input sample is 8 bytes");
_Static_assert(offsetof(struct shp_iv_inp_ring, idx_pru) == SHP_IV_INP_IDX_PRU_OFF, "iv_inp");
_Static_assert(offsetof(struct shp_iv_inp_ring, idx_sys) == SHP_IV_INP_IDX_SYS_OFF, "iv_inp");
_Static_assert(offsetof(struct shp_iv_inp_ring, sample) == SHP_IV_INP_SAMPLE_OFF, "iv_inp");
_Static_assert(offsetof(struct shp_iv_inp_ring, canary) == SHP_IV_INP_CANARY_OFF, "iv_inp");
_Static_assert(sizeof(struct shp_iv_inp_ring) == SHP_IV_INP_SIZE, "iv_inp size");

_Static_assert(offsetof(struct shp_iv_out_ring, idx_pru) == SHP_IV_OUT_IDX_OFF, "iv_out");
_Static_assert(offsetof(struct shp_iv_out_ring, timestamp_ns) == SHP_IV_OUT_TS_OFF, "iv_out");
_Static_assert(offsetof(struct shp_iv_out_ring, voltage) == SHP_IV_OUT_V_OFF, "iv_out");
_Static_assert(offsetof(struct shp_iv_out_ring, current) == SHP_IV_OUT_I_OFF, "iv_out");
_Static_assert(offsetof(struct shp_iv_out_ring, canary) == SHP_IV_OUT_CANARY_OFF, "iv_out");
_Static_assert(sizeof(struct shp_iv_out_ring) == SHP_IV_OUT_SIZE, "iv_out size");

_Static_assert(offsetof(struct shp_gpio_ring, idx_pru) == SHP_GPIO_IDX_OFF, "gpio");
_Static_assert(offsetof(struct shp_gpio_ring, timestamp_ns) == SHP_GPIO_TS_OFF, "gpio");
_Static_assert(offsetof(struct shp_gpio_ring, bitmask) == SHP_GPIO_MASK_OFF, "gpio");
_Static_assert(offsetof(struct shp_gpio_ring, canary) == SHP_GPIO_CANARY_OFF, "gpio");
_Static_assert(sizeof(struct shp_gpio_ring) == SHP_GPIO_SIZE, "gpio size");

_Static_assert(offsetof(struct shp_util_ring, idx_pru) == SHP_UTIL_IDX_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, timestamp_ns) == SHP_UTIL_TS_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, pru0_tsample_ns_max) == SHP_UTIL_P0_MAX_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, pru0_tsample_ns_sum) == SHP_UTIL_P0_SUM_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, pru0_sample_count) == SHP_UTIL_P0_COUNT_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, pru1_tsample_ns_max) == SHP_UTIL_P1_MAX_OFF, "util");
_Static_assert(offsetof(struct shp_util_ring, canary) == SHP_UTIL_CANARY_OFF, "util");
_Static_assert(sizeof(struct shp_util_ring) == SHP_UTIL_SIZE, "util size");

_Static_assert(SHP_CARVEOUT_IV_OUT_OFF == 8388620u, "carve-out layout");
_Static_assert(SHP_CARVEOUT_GPIO_OFF == 17988628u, "carve-out layout");
_Static_assert(SHP_CARVEOUT_UTIL_OFF == 47988636u, "carve-out layout");
_Static_assert(SHP_CARVEOUT_SIZE == 47998244u, "carve-out size");
/* u64 arrays are 8-byte aligned relative to a page-aligned carve-out base. */
_Static_assert((SHP_CARVEOUT_IV_OUT_OFF + SHP_IV_OUT_TS_OFF) % 8 == 0, "iv_out ts alignment");
_Static_assert((SHP_CARVEOUT_GPIO_OFF + SHP_GPIO_TS_OFF) % 8 == 0, "gpio ts alignment");
_Static_assert((SHP_CARVEOUT_UTIL_OFF + SHP_UTIL_TS_OFF) % 8 == 0, "util ts alignment");
_Static_assert(SHP_IV_OUT_SAMPLES_N % SHP_SAMPLES_PER_SYNC == 0, "IV out ring holds whole windows");

/* ---- PRU modes and states (values of SharedMem; sysfs uses the names) -------------------- */
enum shp_pru_mode {
	SHP_MODE_NONE = 0x00,
	SHP_MODE_HARVESTER = 0x10,
	SHP_MODE_HRV_ADC_READ = 0x11,
	SHP_MODE_EMULATOR = 0x20,
	SHP_MODE_EMU_ADC_READ = 0x21,
	SHP_MODE_EMU_LOOPBACK = 0x22,
	SHP_MODE_DEBUG = 0xD0,
};

enum shp_pru_state {
	SHP_STATE_UNKNOWN = 0x00,
	SHP_STATE_IDLE = 0x10,
	SHP_STATE_ARMED = 0x20,
	SHP_STATE_STARTING = 0x21,
	SHP_STATE_RUNNING = 0x30,
	SHP_STATE_STOPPED = 0xD0, /* reported as "unknown" by the kernel module */
	SHP_STATE_RESET = 0xE0,
	SHP_STATE_FAULT = 0xF0,
};

/* ---- PRU -> user-space messages (pru_msg_box: "type v0 v1") ------------------------------ */
enum shp_pru_msg_type {
	SHP_MSG_NONE = 0x00,
	SHP_MSG_ERR_INVALID_CMD = 0xE0,
	SHP_MSG_ERR_MEM_CORRUPTION = 0xE1,
	SHP_MSG_ERR_BACKPRESSURE = 0xE2,
	SHP_MSG_ERR_TIMESTAMP = 0xE3,
	SHP_MSG_ERR_CANARY = 0xE4,
	SHP_MSG_ERR_SYNC_STATE_NOT_IDLE = 0xE5,
	SHP_MSG_ERR_VALUE = 0xE6,
	SHP_MSG_ERR_SAMPLE_MODE = 0xE7,
	SHP_MSG_ERR_HRV_ALGO = 0xE8,
	SHP_MSG_ERR_ADC_NOT_FOUND = 0xE9,
	SHP_MSG_STATUS_RESTARTING_ROUTINE = 0xF0,
	SHP_MSG_DBG_PRINT = 0xA6,
};

/* ---- sysfs file names (relative to the sysfs root) --------------------------------------- */
#define SHP_SYSFS_STATE "state"
#define SHP_SYSFS_MODE "mode"
#define SHP_SYSFS_TIME_START "time_start"
#define SHP_SYSFS_TIME_STOP "time_stop"
#define SHP_SYSFS_MSG_BOX "pru_msg_box"
#define SHP_SYSFS_CALIBRATION "calibration_settings"
#define SHP_SYSFS_HARVESTER "virtual_harvester_settings"
#define SHP_SYSFS_CONVERTER "virtual_converter_settings"
#define SHP_SYSFS_GPIO_MASK "gpio_tracer_mask"
#define SHP_SYSFS_AUX_VOLTAGE "dac_auxiliary_voltage_raw"
#define SHP_SYSFS_PRU0_FW "pru0_firmware"
#define SHP_SYSFS_PRU1_FW "pru1_firmware"
#define SHP_SYSFS_SIM_LOCKSTEP "sim_lockstep" /* the simulator's alone, see consumer marks */

#endif /* SHEPHERD_ABI_H */
