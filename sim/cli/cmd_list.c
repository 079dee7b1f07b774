/* cmd_list.c - 'mlasim list': the bundled model, hardware and engine cards */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cards.h"
#include "cli.h"
#include "csv.h"
#include "report.h"

static struct card_entry models[CARDS_MAX], hws[CARDS_MAX], engines[CARDS_MAX];

static void list_table(struct sbuf *b, const char *title, const struct card_entry *l, int n)
{
	int i;

	sbuf_printf(b, "%s\n", title);
	sbuf_printf(b, "  %-20s %-44s %s\n", "name", "description", "also found as");
	for (i = 0; i < n; i++)
		sbuf_printf(b, "  %-20s %-44s %s\n", l[i].name, l[i].display, l[i].aliases);
}

static cJSON *list_json_array(const struct card_entry *l, int n)
{
	cJSON *arr = cJSON_CreateArray();
	int i;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", l[i].name);
		cJSON_AddStringToObject(o, "display_name", l[i].display);
		cJSON_AddStringToObject(o, "aliases", l[i].aliases);
		cJSON_AddStringToObject(o, "path", l[i].path);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void list_csv(struct sbuf *b, const char *kind, const struct card_entry *l, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		sbuf_printf(b, "%s,", kind);
		csv_field_add(b, l[i].name);
		sbuf_add(b, ",", 1);
		csv_field_add(b, l[i].display);
		sbuf_add(b, ",", 1);
		csv_field_add(b, l[i].aliases);
		sbuf_add(b, "\n", 1);
	}
}

int cmd_list(struct cli *c)
{
	int nm, nh, ne, want_models = 1, want_hw = 1;

	while (cli_more(c)) {
		if (cli_common(c))
			continue;
		if (cli_flag(c, "--models"))
			want_hw = 0;
		else if (cli_flag(c, "--hw-only"))
			want_models = 0;
		else
			cli_unknown(c);
	}
	if (c->err.code)
		return c->err.code;
	if (c->help)
		return cli_help(c);
	nm = want_models ? cards_list(CARD_MODEL, models, CARDS_MAX) : 0;
	nh = want_hw ? cards_list(CARD_HW, hws, CARDS_MAX) : 0;
	ne = want_models && want_hw ? cards_list(CARD_ENGINE, engines, CARDS_MAX) : 0;
	if (c->format == FMT_JSON) {
		cJSON *o = cJSON_CreateObject();
		if (want_models)
			cJSON_AddItemToObject(o, "models", list_json_array(models, nm));
		if (want_hw)
			cJSON_AddItemToObject(o, "hardware", list_json_array(hws, nh));
		if (want_models && want_hw)
			cJSON_AddItemToObject(o, "engines", list_json_array(engines, ne));
		report_json(&c->buf, o);
	} else if (c->format == FMT_CSV) {
		sbuf_printf(&c->buf, "kind,name,display_name,aliases\n");
		list_csv(&c->buf, "model", models, nm);
		list_csv(&c->buf, "hardware", hws, nh);
		list_csv(&c->buf, "engine", engines, ne);
	} else {
		if (want_models)
			list_table(&c->buf, "models (--model NAME)", models, nm);
		if (want_models && want_hw)
			sbuf_printf(&c->buf, "\n");
		if (want_hw)
			list_table(&c->buf, "hardware (--hw NAME)", hws, nh);
		if (ne) {
			sbuf_printf(&c->buf, "\n");
			list_table(&c->buf, "serving engines (plan --engine NAME)", engines, ne);
		}
	}
	return cli_emit(c);
}
