# R side of bench/explore.py: the explorer's statistics through R's survey package.
#
# Usage: Rscript explore.R DIR [REPS]
# DIR holds sample.csv (strate, fpc, w, rows, cols, y, habitants, taille).  Writes
# r_results.csv (key, value) and prints "r_chisq_s=… r_quantile_s=… r_glm_s=…", each the
# best of REPS runs (3 by default) of the design plus the call.

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
reps <- if (length(args) >= 2) as.integer(args[[2]]) else 3
data <- read.csv(file.path(dir, "sample.csv"),
                 colClasses = c(strate = "character", rows = "character", cols = "character",
                                taille = "character"))
design <- function() svydesign(ids = ~1, strata = ~strate, weights = ~w, fpc = ~fpc, data = data)
best <- function(f) {
  t <- Inf
  for (i in seq_len(reps)) t <- min(t, system.time(value <- f())[["elapsed"]])
  list(t = t, value = value)
}
chisq <- best(function() {
  d <- design()
  list(F = svychisq(~rows + cols, d), Chisq = svychisq(~rows + cols, d, statistic = "Chisq"))
})
quant <- best(function() {
  svyby(~habitants, ~taille, design(), svyquantile, quantiles = c(0.25, 0.5, 0.75),
        ci = TRUE, se = TRUE)
})
glm <- best(function() {
  svyglm(y ~ strate + cols, design(), family = quasibinomial(),
         control = glm.control(epsilon = 1e-14, maxit = 100))
})
out <- c(
  chisq.F = unname(chisq$value$F$statistic), chisq.F.p = unname(chisq$value$F$p.value),
  chisq.Chisq.p = unname(chisq$value$Chisq$p.value),
  setNames(coef(quant$value), paste0("quantile.", seq_along(coef(quant$value)))),
  setNames(coef(glm$value), paste0("glm.coef.", seq_along(coef(glm$value)))),
  setNames(SE(glm$value), paste0("glm.se.", seq_along(SE(glm$value))))
)
write.csv(data.frame(key = names(out), value = sprintf("%.17g", out)),
          file.path(dir, "r_results.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("r_chisq_s=%.4f r_quantile_s=%.4f r_glm_s=%.4f\n", chisq$t, quant$t, glm$t))
