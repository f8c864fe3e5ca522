#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "control.h"

#define MS_PER_S 1000

enum control_req control_parse(const char *buf, size_t len)
{
	static const struct {
		const char *text;
		enum control_req req;
	} reqs[] = {
		{ "health", CONTROL_HEALTH },
		{ "status", CONTROL_STATUS },
		{ "status json", CONTROL_STATUS_JSON },
	};
	size_t i;

	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (len == strlen(reqs[i].text) && !memcmp(buf, reqs[i].text, len))
			return reqs[i].req;
	return CONTROL_BAD;
}

struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used = o->used + (size_t)n < o->len ? o->used + (size_t)n : o->len - 1;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_json(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			put(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put(o, "\\u%04x", (unsigned char)*s);
		else
			put(o, "%c", *s);
	}
	put(o, "\"");
}

static size_t reasons(const struct supervisor *s)
{
	size_t n = 0;

	while (n < SUP_REASONS && s->reasons[n][0])
		n++;
	return n;
}

static uint64_t uptime_ms(const struct supervisor *s, uint64_t now)
{
	return s->main && now > s->started_ms ? now - s->started_ms : 0;
}

static void format_json(const struct supervisor *s, const struct notifier *n, uint64_t now,
			struct out *o)
{
	const char *why = "";
	bool healthy = sup_healthy(s, &why);
	size_t i, nr = reasons(s);

	put(o, "{\"state\":");
	put_json(o, sup_state_name(s));
	put(o, ",\"command\":");
	put_json(o, s->cfg->name);
	put(o, ",\"main_pid\":%d,\"uptime_ms\":%llu,\"restarts\":%zu,\"last_reasons\":[",
	    (int)s->main, (unsigned long long)uptime_ms(s, now), s->restart_count);
	for (i = 0; i < nr; i++) {
		put(o, i ? "," : "");
		put_json(o, s->reasons[i]);
	}
	put(o, "],\"ready\":%s,\"healthy\":%s,\"status\":", s->ready && s->main ? "true" : "false",
	    healthy ? "true" : "false");
	put_json(o, s->status_text);
	put(o, ",\"notify_ignored\":%u}\n", n ? n->outside + n->bad : 0);
}

static void format_line(const struct supervisor *s, uint64_t now, struct out *o)
{
	uint64_t up = uptime_ms(s, now);
	size_t nr = reasons(s);

	put(o, "%s: %s", sup_state_name(s), s->cfg->name);
	if (s->main)
		put(o, " as pid %d for %llu.%llu s", (int)s->main,
		    (unsigned long long)(up / MS_PER_S), (unsigned long long)(up % MS_PER_S / 100));
	if (s->cfg->notify || s->notified)
		put(o, ", %s", s->ready ? "ready" : "not ready");
	put(o, ", %zu restart%s", s->restart_count, s->restart_count == 1 ? "" : "s");
	if (nr)
		put(o, " (last: %s)", s->reasons[0]);
	if (s->status_text[0])
		put(o, ", status: %s", s->status_text);
	put(o, "\n");
}

size_t control_format(const struct supervisor *s, const struct notifier *n, enum control_req r,
		      uint64_t now, char *out, size_t len)
{
	struct out o = { out, len, 0 };
	const char *why = "";

	if (!len)
		return 0;
	out[0] = '\0';
	switch (r) {
	case CONTROL_HEALTH:
		if (sup_healthy(s, &why))
			put(&o, "healthy\n");
		else
			put(&o, "unhealthy: %s\n", why);
		break;
	case CONTROL_STATUS:
		format_line(s, now, &o);
		break;
	case CONTROL_STATUS_JSON:
		format_json(s, n, now, &o);
		break;
	case CONTROL_BAD:
		put(&o, "error: unknown request\n");
		break;
	}
	return o.used;
}
