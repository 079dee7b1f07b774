/*
 * fuzz_model.c - the model-card loader: model_from_json() on the parsed bytes,
 * and model_load() on the same bytes written to a file (jsonx_load: the NUL,
 * size and syntax-error paths), which must agree with it.  An accepted card
 * must hold sane dimensions, and the engine must plan it without a crash or a
 * NaN (check_model.h).
 */
#include <fcntl.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "check_model.h"
#include "hw.h"
#include "jsonx.h"

static struct hw h800;
static char tmp_path[512];

static void fz_cleanup(void)
{
	unlink(tmp_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err e = {0};
	int fd;

	(void)argc;
	(void)argv;
	if (hw_load("hw/h800-sxm.json", NULL, 0, &h800, &e)) {
		fprintf(stderr, "fuzz_model: run from the repository root: %s\n", e.msg);
		exit(2);
	}
	snprintf(tmp_path, sizeof tmp_path, "%s/mlasim-fuzz-model.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		perror("fuzz_model: mkstemp");
		exit(2);
	}
	close(fd);
	atexit(fz_cleanup);
	return 0;
}

static void fz_write(const uint8_t *data, size_t size)
{
	FILE *f = fopen(tmp_path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		perror("fuzz_model: cannot write the temporary card");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model a, b;
	struct err e1 = {0}, e2 = {0}, eu = {0};
	char *text = fz_str(data, size);
	char *lit = jsonx_python_literals(text);   /* as model_load reads Infinity, NaN */
	cJSON *root = lit ? cJSON_ParseWithOpts(lit, NULL, 1) : NULL;
	int rc1 = -1, rc2, ru;

	if (root && cJSON_IsObject(root)) {
		rc1 = model_from_json(root, "fuzz.json", &a, &e1);
		fz_check_err(rc1, &e1, "model_from_json");
		FZ_CHECK(rc1 == 0 || rc1 == EXIT_INPUT, "model_from_json returned %d", rc1);
		if (rc1 == 0) {
			fz_check_model(&a);
			fz_plan_model(&a, &h800);
		}
		/* model_load (jsonx_load) refuses a key twice in one object first */
		ru = jsonx_check_unique(root, "fuzz.json", &eu);
		fz_check_err(ru, &eu, "jsonx_check_unique");
		FZ_CHECK(ru == 0 || ru == EXIT_INPUT, "jsonx_check_unique returned %d", ru);
		if (ru) {
			rc1 = ru;
			e1 = eu;
		}
	}
	cJSON_Delete(root);

	fz_write(data, size);
	rc2 = model_load(tmp_path, NULL, 0, &b, &e2);
	fz_check_err(rc2, &e2, "model_load");
	if (rc2 == 0)
		fz_check_model(&b);
	/* same bytes, same answer (a NUL byte ends the in-memory text early) */
	if (memchr(data, 0, size) == NULL && rc1 >= 0)
		FZ_CHECK(rc1 == rc2, "model_from_json says %d (%s), model_load says %d (%s)",
			 rc1, e1.msg, rc2, e2.msg);
	if (memchr(data, 0, size) == NULL && rc1 < 0)
		FZ_CHECK(rc2 == EXIT_INPUT, "not a JSON object, yet model_load says %d", rc2);
	if (memchr(data, 0, size) == NULL && rc1 == 0 && rc2 == 0)
		FZ_CHECK(a.layers == b.layers && a.hidden == b.hidden && a.attn == b.attn &&
			 a.is_moe == b.is_moe && a.moe_layers == b.moe_layers,
			 "model_from_json and model_load read different models");
	free(lit);
	free(text);
	return 0;
}
