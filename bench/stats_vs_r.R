# R side of bench/stats_vs_r.py: the same workload through R's survey package.
#
# Usage: Rscript stats_vs_r.R DIR [REPS]
# DIR holds sample.csv (stratum, region, zone, N_h, w, y1..yK) and margins_*.csv
# (level, Freq).  Writes r_calibrate.csv and r_rake.csv (domain, level, variable, est, se)
# and prints "r_calibrate_s=… r_rake_s=…" (design + weighting + all estimates; the
# calibrate path is the best of REPS runs, 3 by default; the rake path, ~40 s, runs once).

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
data <- read.csv(file.path(dir, "sample.csv"),
                 colClasses = c(stratum = "character", region = "character", zone = "character"))
ind <- grep("^y[0-9]+$", names(data), value = TRUE)
margin <- function(name) {
  m <- read.csv(file.path(dir, paste0("margins_", name, ".csv")), colClasses = c(level = "character"))
  names(m) <- c(name, "Freq")
  m
}
pop_stratum <- margin("stratum")
pop_region <- margin("region")
pop_zone <- margin("zone")
yformula <- as.formula(paste("~", paste(ind, collapse = "+")))

collect <- function(d) {
  overall <- svymean(yformula, d)
  by <- svyby(yformula, ~stratum, d, svymean)
  rows <- data.frame(domain = "", level = "", variable = ind,
                     est = as.numeric(coef(overall)), se = as.numeric(SE(overall)))
  for (i in seq_len(nrow(by))) {
    lev <- as.character(by$stratum[i])
    rows <- rbind(rows, data.frame(domain = "stratum", level = lev, variable = ind,
                                   est = as.numeric(by[i, ind]),
                                   se = as.numeric(by[i, paste0("se.", ind)])))
  }
  rows
}

design <- function() svydesign(ids = ~1, strata = ~stratum, weights = ~w, fpc = ~N_h, data = data)

# calibrate(calfun = "raking") path: R's fastest; best of `reps` runs, like our timing
reps <- if (length(args) >= 2) as.integer(args[[2]]) else 3
t_cal <- Inf
for (rep in seq_len(reps)) t_cal <- min(t_cal, system.time({
  d <- design()
  totals <- c(`(Intercept)` = sum(pop_stratum$Freq))
  for (m in list(pop_stratum, pop_region, pop_zone)) {
    v <- names(m)[1]
    lev <- sort(m[[1]])
    f <- m$Freq[match(lev, m[[1]])]
    totals <- c(totals, setNames(f[-1], paste0(v, lev[-1])))
  }
  dc <- calibrate(d, ~stratum + region + zone, totals, calfun = "raking",
                  epsilon = 1e-13, maxit = 100)
  res_cal <- collect(dc)
})[["elapsed"]])

# rake() path (iterative post-stratification; back-fitting variance)
t_rake <- system.time({
  d <- design()
  dr <- rake(d, list(~stratum, ~region, ~zone), list(pop_stratum, pop_region, pop_zone),
             control = list(maxit = 200, epsilon = 1e-14))
  res_rake <- collect(dr)
})[["elapsed"]]

fmt <- function(df) {
  df$est <- sprintf("%.17g", df$est)
  df$se <- sprintf("%.17g", df$se)
  df
}
write.csv(fmt(res_cal), file.path(dir, "r_calibrate.csv"), row.names = FALSE)
write.csv(fmt(res_rake), file.path(dir, "r_rake.csv"), row.names = FALSE)
cat(sprintf("r_calibrate_s=%.3f r_rake_s=%.3f\n", t_cal, t_rake))
