/*
 * ibplane.h — the C interface of ibplane (libibplane.so).
 *
 * Mutual-information estimates between two row-major arrays, and recordings
 * (activations.bin, .npz, .npy folders) opened, inspected and analysed, from C or any
 * language with a C FFI (the Python package in python/ loads it through ctypes).
 *
 * Conventions
 *  - Every function that can fail returns an int status: IBPLANE_OK (0),
 *    IBPLANE_ERROR_INPUT (2: bad input or bad usage, as the CLI's exit code 2) or
 *    IBPLANE_ERROR_RUNTIME (1: I/O failure, disk full, anything else).
 *  - On failure, when `error` is not NULL, *error receives a NUL-terminated UTF-8 sentence
 *    naming the argument, file, offset or field and what was expected. On success *error is
 *    set to NULL. Free it with ibplane_free().
 *  - Results are NUL-terminated UTF-8 JSON objects (keys documented per function), freed
 *    with ibplane_free(). Non-finite numbers are written as null.
 *  - Information values are in nats unless a field name says otherwise ("bits").
 *  - No function aborts the process on bad arguments: NULL pointers, negative or
 *    overflowing sizes, NaN/Inf data, unknown handles and malformed JSON are reported
 *    through the status and *error.
 *  - Functions may be called from several threads; a recording handle may be shared.
 *
 * Versioning: IBPLANE_ABI_VERSION changes whenever a declaration below changes meaning or
 * signature; ibplane_abi_version() returns the value the library was built with. A caller
 * should check that the two agree before any other call.
 *
 * Licensed GPL-3.0-or-later, like the rest of ibplane.
 */
#ifndef IBPLANE_H
#define IBPLANE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IBPLANE_ABI_VERSION 1

#define IBPLANE_OK 0
#define IBPLANE_ERROR_RUNTIME 1
#define IBPLANE_ERROR_INPUT 2

/* Element types of the buffers given to ibplane_estimate. */
#define IBPLANE_FLOAT32 0
#define IBPLANE_FLOAT64 1

/* Largest rows × columns accepted for one buffer: 2^31 elements; in addition, the float64 copy
 * the library makes (8 bytes per element) must fit in half of the physical memory. */
#define IBPLANE_MAX_ELEMENTS 2147483648LL

/* The library's version, e.g. "0.1.0" (the CLI's `ibplane --version`). Static; do not free. */
const char *ibplane_version(void);

/* The ABI version the library was built with (IBPLANE_ABI_VERSION of its header). */
int32_t ibplane_abi_version(void);

/* Frees a string returned by this library (result JSON or error message). NULL is allowed. */
void ibplane_free(char *string);

/*
 * I(X;Y) between x (x_rows × x_cols) and y (y_rows × y_cols), row-major, contiguous,
 * element type IBPLANE_FLOAT32 or IBPLANE_FLOAT64; row i of x and row i of y are one
 * paired draw. Values are converted to double exactly as `ibplane estimate` converts a .npy
 * file, so the result equals the CLI's to the last bit on the same data.
 *
 * estimator: a specification NAME or NAME:key=value,... in the language of
 *   `ibplane analyze --estimator`, with the `ibplane estimate` flag names as keys, e.g.
 *   "ksg", "ksg:k=5,preprocess=rank-gauss", "kde:sigma2=0.05", "renyi:alpha=2".
 *   Names: gaussian, binning, adaptive-binning, kde, adaptive-kde, cs, renyi, ksg, ksg2,
 *   kl-entropy, wkl, lossy.
 *
 * *result (free with ibplane_free): {"estimator", "nats", "bits", "lower_nats", "upper_nats"
 *   (null unless the estimator gives a bracket), "n", "x_dim", "y_dim", "parameters"
 *   (as used, string values), "diagnostics" (numbers)}. *nats (optional, may be NULL)
 *   receives the value in nats.
 */
int32_t ibplane_estimate(const char *estimator,
                         const void *x, int64_t x_rows, int64_t x_cols, int32_t x_type,
                         const void *y, int64_t y_rows, int64_t y_cols, int32_t y_type,
                         double *nats, char **result, char **error);

/*
 * The estimators this library knows: {"estimate": [names], "plane": [{"name", "summary",
 * "parameters": {key: doc}}], "default_plane": [specifications run by ibplane_analyze when
 * none is given]}.
 */
int32_t ibplane_estimators(char **result, char **error);

/* An open recording (activations.bin, .npz, a .npy folder or a recording.json directory). */
typedef struct ibplane_recording ibplane_recording;

/*
 * Opens the recording at `path` (memory-mapped: costs a few pages whatever its size).
 * *recording receives a handle to close with ibplane_recording_close().
 */
int32_t ibplane_recording_open(const char *path, ibplane_recording **recording, char **error);

/* Closes a handle; NULL and already-closed handles are ignored. */
void ibplane_recording_close(ibplane_recording *recording);

/*
 * What the recording holds: {"name", "sample_count", "input_width", "layers": [{"name",
 * "width"}], "labels": {"kind": "classes", "class_count"} or {"kind": "targets", "width"},
 * "run": {…}, "snapshots": [{"epoch", "step", "metrics"}], "warnings": [...]}.
 */
int32_t ibplane_recording_info(ibplane_recording *recording, char **result, char **error);

/*
 * Copies layer `layer` (0-based) of snapshot `snapshot` (0-based, file order), N × width
 * float32 row-major, into out; `count` must equal N × width. The record's CRC-32 is checked
 * and NaN/Inf values are refused, as `ibplane analyze` does.
 */
int32_t ibplane_recording_layer(ibplane_recording *recording, int64_t snapshot, int64_t layer,
                                float *out, int64_t count, char **error);

/* Copies the inputs (N × input_width float32; count must equal that product; an error when
 * the recording has no inputs). */
int32_t ibplane_recording_inputs(ibplane_recording *recording, float *out, int64_t count,
                                 char **error);

/* Copies the labels: class indices as int64 (count = N) when the kind is "classes", or
 * targets as float32 (count = N × width, cast the pointer) when it is "targets". */
int32_t ibplane_recording_labels(ibplane_recording *recording, void *out, int64_t count,
                                 char **error);

/*
 * Checks an activations.bin file as `ibplane inspect --json` does (reads it once: CRC-32 of
 * every record, NaN/Inf counts) and writes the same JSON object. A damaged but readable file
 * is IBPLANE_OK with "status": "damaged"; a file that is not a recording is
 * IBPLANE_ERROR_INPUT.
 */
int32_t ibplane_inspect(const char *path, char **result, char **error);

/*
 * The information plane of the recording at `path`, as `ibplane analyze` computes it: writes
 * plane.csv, plane.json and the SVG/HTML reports under the output directory.
 *
 * options: NULL or a JSON object with any of (defaults in brackets)
 *   "estimators": [specifications] [every family], "out": directory [reports/<name>],
 *   "unit": "bits"|"nats" ["bits"], "layers": [names or indices] [all], "epochs": "all" or
 *   "0,10,100-500" ["all"], "bootstrap": B resamples of the interval [0],
 *   "interval": "jackknife" (half-sample jackknife) | "bootstrap" (with-replacement percentile
 *   bootstrap, demoted: may exclude the estimate) ["jackknife"], "confidence": c [0.95], "seed": s [0],
 *   "resume": bool [false], "shard": "i/n" ["1/1"], "threads": 1…4096, at most this many computations of this
 *   call at once, its jobs and the loops inside them together [IBPLANE_THREADS or cores],
 *   "reports": bool (write the SVG/HTML reports) [true].
 *   Unknown keys are an error.
 * *result: {"csv", "manifest", "reports": [paths], "rows", "computed", "skipped", "seconds",
 *   "unit", "shard", "estimators": [{"name", "params"}], "interval", "warnings": [...]}.
 *   "interval" is null without resamples, else {"method": "half-sample-jackknife" or
 *   "percentile-bootstrap", "level",
 *   "resamples", "seed"}: what the CSV's i_*_ci_lo/_hi columns hold (its ci_* columns say the
 *   same per row). The estimator's own bounds are the separate i_*_lower/_upper columns.
 */
int32_t ibplane_analyze(const char *path, const char *options, char **result, char **error);

#ifdef __cplusplus
}
#endif

#endif /* IBPLANE_H */
