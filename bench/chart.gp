# bench/chart.gp: bench/run.sh's chart. gnuplot -e "datafile='...'; outfile='...'; ncols=N" chart.gp
# datafile: a header line (figure, then the inits), then one line per figure
# with each init's value divided by the best peer's ("?" when missing).
set terminal pngcairo size 1100,560 font "sans,11"
set output outfile
set title "minit vs Debian's tini-static, dumb-init, catatonit as PID 1 (value ÷ best peer; lower is better)"
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing "?"
set logscale y 2
set yrange [0.0625:16]
set ytics ("1/16" 0.0625, "1/8" 0.125, "1/4" 0.25, "1/2" 0.5, "1" 1, "2" 2, "4" 4, "8" 8, "16" 16)
set ylabel "÷ best peer (log scale)"
set grid ytics
set key top left horizontal
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 linewidth 1.5 front
set xtics nomirror
set linetype 1 linecolor rgb "#d62728"
set linetype 2 linecolor rgb "#1f77b4"
set linetype 3 linecolor rgb "#2ca02c"
set linetype 4 linecolor rgb "#9467bd"
plot for [i=2:ncols] datafile using i:xtic(1) title columnheader(i)
