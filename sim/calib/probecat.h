/*
 * probecat.h - the catalogue of calibration probes: their keys, what each
 * measures and which calibration section it feeds (docs/probes.md s1).
 *
 * Plain data with no dependencies: compiled into libmlasim (for 'mlasim probe
 * -l', which needs no GPU) and into the CUDA probe runner build/mlasim-probe,
 * so both agree on the keys.
 */
#ifndef MLASIM_PROBECAT_H
#define MLASIM_PROBECAT_H

#ifdef __cplusplus
extern "C" {
#endif

struct probe_info {
	const char *key;        /* 'mlasim probe KEY' */
	const char *file;       /* source, probes/<file> */
	const char *summary;    /* what it measures, one line */
	const char *feeds;      /* calibration section(s) it feeds */
	int multi_gpu;          /* needs two GPUs or more (skipped otherwise) */
};

/* Every probe, in the order 'mlasim probe' runs them; ends with key NULL. */
const struct probe_info *probecat_list(void);

/* The probe named `key`, or NULL. */
const struct probe_info *probecat_find(const char *key);

#ifdef __cplusplus
}
#endif

#endif
