/*
 * fuzz_set.c - the --set parser: jsonx_set() applies each line of the input
 * as one KEY=VALUE assignment to a copy of a bundled card (byte 0: DeepSeek-V3
 * or Llama 3.1 70B model card, or the H800 hardware card), then the loader
 * reads the result, as model_load() and hw_load() do.  The key checks the CLI
 * makes (model_key_known, hw_set_known, hw_is_section) and err_blame_set()
 * run on every assignment.  What is accepted must plan (check_model.h).
 */
#include <cjson/cJSON.h>
#include "check_model.h"
#include "hw.h"
#include "jsonx.h"

#define FZ_MAX_SETS 16

static cJSON *card[3];
static struct hw h800;
static struct model v3;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const paths[3] = {
		"models/deepseek-v3.json", "models/llama-3.1-70b.json", "hw/h800-sxm.json",
	};
	struct err e = {0};
	int i;

	(void)argc;
	(void)argv;
	for (i = 0; i < 3; i++) {
		if (jsonx_load(paths[i], &card[i], &e)) {
			fprintf(stderr, "fuzz_set: run from the repository root: %s\n", e.msg);
			exit(2);
		}
	}
	if (hw_from_json(card[2], paths[2], &h800, &e) ||
	    model_from_json(card[0], paths[0], &v3, &e)) {
		fprintf(stderr, "fuzz_set: %s\n", e.msg);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static struct hw h;
	const char *sets[FZ_MAX_SETS];
	struct err e = {0};
	char *text, *p, *nl;
	int which, nsets = 0, rc = 0, i;
	cJSON *root;

	if (size < 1)
		return 0;
	which = data[0] % 3;
	text = fz_str(data + 1, size - 1);
	for (p = text; nsets < FZ_MAX_SETS; p = nl + 1) {
		nl = strchr(p, '\n');
		sets[nsets++] = p;
		if (!nl)
			break;
		*nl = 0;
	}
	for (i = 0; i < nsets; i++) {
		char key[128];
		size_t klen = strcspn(sets[i], "=");
		snprintf(key, sizeof key, "%.*s", (int)(klen < 127 ? klen : 127), sets[i]);
		(void)model_key_known(key);
		(void)hw_set_known(sets[i]);
		(void)hw_is_section(sets[i]);
	}
	root = cJSON_Duplicate(card[which], 1);
	FZ_CHECK(root != NULL, "cJSON_Duplicate failed");
	for (i = 0; i < nsets && rc == 0; i++) {
		rc = jsonx_set(root, sets[i], &e);
		fz_check_err(rc, &e, "jsonx_set");
		FZ_CHECK(rc == 0 || rc == EXIT_USAGE || rc == EXIT_ENV, "jsonx_set returned %d", rc);
	}
	if (rc == 0) {
		if (which < 2)
			rc = model_from_json(root, "card.json", &m, &e);
		else
			rc = hw_from_json(root, "card.json", &h, &e);
		if (rc)
			err_blame_set(&e, sets, nsets);
		fz_check_err(rc, &e, which < 2 ? "model_from_json" : "hw_from_json");
		FZ_CHECK(rc == 0 || rc == EXIT_INPUT, "the loader returned %d after --set", rc);
		if (rc == 0 && which < 2) {
			fz_check_model(&m);
			fz_plan_model(&m, &h800);
		} else if (rc == 0) {
			fz_plan_model(&v3, &h);
		}
	}
	cJSON_Delete(root);
	free(text);
	return 0;
}
