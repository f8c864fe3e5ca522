# bench/table.awk: turn bench/run.sh's raw figures into the markdown table.
# Input: the rows file (KEY|LABEL|TARGET|TARGET TEXT|CHART LABEL, one a line),
# then raw.tsv (INIT<TAB>KEY<TAB>VALUE; VALUE a number, "never" or
# "na:REASON"). Variables: inits, peers (space-separated), chart (path of the
# gnuplot data file: each init's value / best peer), ignore_cap (ms).
# TARGET: abs:X (minit <= X), rel:F (<= F x best peer), add:D (<= best + D),
# none.

function isnum(v) { return v ~ /^-?[0-9]+(\.[0-9]+)?$/ }

function fmt(v, key) {
	if (key ~ /^(wakeups|storm_peak|storm_left|storm_wakeups|refused)/)
		return sprintf("%d", v + 0.5)
	if (v >= 100 || v <= -100)
		return sprintf("%.0f", v)
	if (v >= 10 || v <= -10)
		return sprintf("%.1f", v)
	return sprintf("%.2f", v)
}

function note(init, why,    k) {
	if (init == "minit" && why ~ /exited with/ && lastmsg[init] != "")
		why = why " (" lastmsg[init] ")"
	k = init ": " why
	if (!(k in noteno)) {
		noteno[k] = ++nnotes
		notetext[nnotes] = k
	}
	return "n/a [" noteno[k] "]"
}

function cell(init, key,    v) {
	if (init in missing)
		return note(init, missing[init])
	v = val[init, key]
	if (v == "")
		return "—"
	if (v ~ /^na:/)
		return note(init, substr(v, 4))
	if (v == "never")
		return sprintf("never (%g s cap)", ignore_cap / 1000)
	if (!isnum(v))
		return v
	if (key == "size_kb" && (init in dyn))
		return fmt(v, key) " (dynamic)"
	return fmt(v, key)
}

FNR == NR { rows[++nrows] = $0; next }
$2 == "_missing" { missing[$1] = $3; next }
$2 == "_lastmsg" { lastmsg[$1] = $3; next }
$2 == "size_dynamic" { dyn[$1] = 1; next }
{ val[$1, $2] = $3 }

END {
	ni = split(inits, I, " ")
	np = split(peers, P, " ")
	line = "| Figure |"
	sep = "|---|"
	for (i = 1; i <= ni; i++) {
		line = line " " I[i] " |"
		sep = sep "---:|"
	}
	print line " minit ÷ best peer | Target | Met |"
	print sep "---:|---|---|"
	hdr = "figure"
	for (i = 1; i <= ni; i++)
		hdr = hdr " \"" I[i] "\""
	if (chart != "")
		print hdr > chart
	charted = 0
	for (r = 1; r <= nrows; r++) {
		split(rows[r], f, "|")
		key = f[1]; tgt = f[3]; ttext = f[4]; clabel = f[5]
		have = 0
		for (i = 1; i <= ni; i++)
			have += (I[i], key) in val
		if (!have)
			continue # figure not run (--only)
		best = ""
		for (p = 1; p <= np; p++) {
			v = val[P[p], key]
			if ((P[p] in missing) || !isnum(v) || (key == "size_kb" && (P[p] in dyn)))
				continue
			if (best == "" || v + 0 < best + 0)
				best = v + 0
		}
		line = "| " f[2] " |"
		for (i = 1; i <= ni; i++)
			line = line " " cell(I[i], key) " |"
		mv = ("minit" in missing) ? "" : val["minit", key]
		ratio = "—"
		if (isnum(mv) && best != "" && best > 0)
			ratio = sprintf("%.2f", mv / best)
		met = "n/a"
		split(tgt, t, ":")
		if (t[1] == "none")
			met = "—"
		else if (mv == "never")
			met = "**no**"
		else if (isnum(mv)) {
			lim = ""
			if (t[1] == "abs")
				lim = t[2] + 0
			else if (t[1] == "rel" && best != "")
				lim = t[2] * best
			else if (t[1] == "add" && best != "")
				lim = best + t[2]
			if (lim != "")
				met = (mv + 0 <= lim + 1e-9) ? "yes" : "**no**"
		}
		print line " " ratio " | " ttext " | " met " |"
		if (chart != "" && clabel != "" && best != "" && best > 0) {
			cl = "\"" clabel "\""
			for (i = 1; i <= ni; i++) {
				v = val[I[i], key]
				if ((I[i] in missing) || !isnum(v) || v <= 0 || (key == "size_kb" && (I[i] in dyn)))
					cl = cl " ?"
				else
					cl = cl " " sprintf("%.4f", v / best)
			}
			print cl > chart
			charted++
		}
	}
	if (chart != "") {
		close(chart)
		if (!charted)
			printf "" > chart
	}
	if (val["bare", "startup_us"] != "" || nnotes)
		print ""
	if (isnum(val["bare", "startup_us"]))
		printf "- Start-up baseline: a bare `/bin/true` as PID 1 of a fresh namespace takes %d µs (median); the row shows each init's median minus that.\n", val["bare", "startup_us"] + 0.5
	if (nnotes) {
		for (k = 1; k <= nnotes; k++)
			print "- [" k "] " notetext[k]
	}
}
