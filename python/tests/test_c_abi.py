"""The C header compiles and the library survives misuse from C: NULLs, bad sizes, bad handles."""

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

PROGRAM = r"""
#define _DEFAULT_SOURCE
#include "ibplane.h"
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define EXPECT(status, want, err, text) do { \
    int s_ = (status); \
    if (s_ != (want) || ((text)[0] && (!(err) || !strstr((err), (text))))) { \
      printf("FAIL line %d: status %d, error %s\n", __LINE__, s_, (err) ? (err) : "(null)"); failures++; } \
    ibplane_free(err); err = NULL; } while (0)

int main(int argc, char **argv) {
  char *res = NULL, *err = NULL;
  double x[300], y[300], nats = NAN;
  if (ibplane_abi_version() != IBPLANE_ABI_VERSION) { printf("FAIL abi\n"); return 1; }
  printf("version %s\n", ibplane_version());
  for (int i = 0; i < 300; i++) { x[i] = sin(0.7 * i); y[i] = x[i] + 0.2 * cos(3.1 * i); }

  EXPECT(ibplane_estimate("gaussian", x, 150, 2, IBPLANE_FLOAT64, y, 150, 2, IBPLANE_FLOAT64, &nats, &res, &err), 0, err, "");
  if (!res || !strstr(res, "\"estimator\":\"gaussian\"") || !(nats > 0)) { printf("FAIL result %s\n", res); failures++; }
  ibplane_free(res); res = NULL;
  EXPECT(ibplane_estimate("ksg", x, 300, 1, IBPLANE_FLOAT64, y, 300, 1, IBPLANE_FLOAT64, NULL, NULL, &err), 0, err, "");
  EXPECT(ibplane_estimate(NULL, x, 3, 1, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "estimator is NULL");
  EXPECT(ibplane_estimate("ksg", NULL, 3, 1, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "x is NULL but holds 3");
  EXPECT(ibplane_estimate("ksg", x, -3, 1, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "sizes must be");
  EXPECT(ibplane_estimate("ksg", x, 1LL << 40, 1LL << 40, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "IBPLANE_MAX_ELEMENTS");
  EXPECT(ibplane_estimate("ksg", x, 4611686018427387904LL, 4, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "IBPLANE_MAX_ELEMENTS");
  EXPECT(ibplane_estimate("ksg", x, 3, 1, 7, y, 3, 1, 1, NULL, &res, &err), 2, err, "x_type is 7");
  /* 2^31 doubles (16 GiB) claimed behind a 300-element buffer: refused before it is read. */
  long long ram = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
  if (ram / 2 < (1LL << 34))
    EXPECT(ibplane_estimate("ksg", x, 1LL << 31, 1, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "more than half of this machine's");
  EXPECT(ibplane_estimate("ksg", x, 3, 0, 1, y, 3, 1, 1, NULL, &res, &err), 2, err, "x has 0 columns");
  x[4] = NAN;
  EXPECT(ibplane_estimate("ksg", x, 300, 1, 1, y, 300, 1, 1, NULL, &res, &err), 2, err, "x has a non-finite value (nan) at row 4");
  EXPECT(ibplane_estimate("ksg", x, 300, 1, 1, y, 300, 1, 1, NULL, &res, NULL), 2, err, "");

  ibplane_recording *r = NULL;
  EXPECT(ibplane_recording_open(NULL, &r, &err), 2, err, "path is NULL");
  EXPECT(ibplane_recording_open(argv[1], NULL, &err), 2, err, "recording is NULL");
  EXPECT(ibplane_recording_open("/no/such/file.bin", &r, &err), 2, err, "no such file or directory");
  EXPECT(ibplane_recording_open(argv[1], &r, &err), 0, err, "");
  EXPECT(ibplane_recording_info(r, &res, &err), 0, err, "");
  if (!res || !strstr(res, "\"sample_count\":60")) { printf("FAIL info %s\n", res); failures++; }
  ibplane_free(res); res = NULL;
  float layer[60 * 5];
  EXPECT(ibplane_recording_layer(r, 0, 0, layer, 60 * 5, &err), 0, err, "");
  EXPECT(ibplane_recording_layer(r, 0, 0, layer, 60 * 4, &err), 2, err, "count is 240 but layer 'h1' (60 × 5) has 300");
  EXPECT(ibplane_recording_layer(r, 0, 0, NULL, 300, &err), 2, err, "out is NULL");
  EXPECT(ibplane_recording_layer(r, -1, 0, layer, 300, &err), 2, err, "snapshot -1 does not exist");
  EXPECT(ibplane_recording_layer(r, 0, 9, layer, 300, &err), 2, err, "layer 9 does not exist");
  EXPECT(ibplane_recording_labels(r, layer, 59, &err), 2, err, "count is 59 but the class labels has 60");
  ibplane_recording_close(r);
  ibplane_recording_close(r);
  ibplane_recording_close(NULL);
  EXPECT(ibplane_recording_info(r, &res, &err), 2, err, "not an open handle");
  EXPECT(ibplane_recording_layer((ibplane_recording *)0xdeadbeef, 0, 0, layer, 300, &err), 2, err, "not an open handle");
  EXPECT(ibplane_recording_info(NULL, &res, &err), 2, err, "recording is NULL");
  EXPECT(ibplane_analyze(argv[1], "[1, 2]", &res, &err), 2, err, "options is not a JSON object");
  EXPECT(ibplane_analyze(argv[1], "{\"estimators\": []}", &res, &err), 2, err, "options.estimators: expected a non-empty list");
  EXPECT(ibplane_analyze(argv[1], NULL, NULL, &err), 2, err, "result is NULL");
  EXPECT(ibplane_inspect("/no/such/file.bin", &res, &err), 2, err, "No such file or directory");
  printf("failures %d\n", failures);
  return failures != 0;
}
"""


def test_c_program_against_the_header(tmp_path, library, recording):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler")
    source = tmp_path / "abi.c"
    source.write_text(PROGRAM)
    lib = Path(library)
    exe = tmp_path / "abi"
    subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-I", str(ROOT / "Sources" / "IBPlaneC" / "include"), str(source),
                    str(lib), "-Wl,-rpath," + str(lib.parent), "-lm", "-o", str(exe)], check=True)
    done = subprocess.run([str(exe), str(recording[0])], capture_output=True, text=True, timeout=300)
    assert "failures 0" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 0
