# Reference values for observatoire.stats, produced by R's survey package.
#
# Run from this folder:  Rscript make_reference.R
# Writes reference.csv (key,value with 17 significant digits) and the two data sets the
# Python tests read (apistrat.csv, apiclus1.csv), so that the test suite runs without R.
# Requires the Debian packages r-cran-survey (it ships the `api` data sets) and r-cran-mass
# (calibrate() loads MASS).

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail", survey.replicates.mse = FALSE)
data(api)

keep <- c("cds", "stype", "dnum", "snum", "sch.wide", "both", "comp.imp", "api00", "api99",
          "enroll", "meals", "pw", "fpc")
write_data <- function(df, path) {
  df <- df[, keep]
  text_cols <- which(sapply(df, function(x) is.character(x) || is.factor(x)))
  df$pw <- sprintf("%.17g", df$pw)  # full precision: the weights are not round numbers
  write.csv(df, path, row.names = FALSE, quote = text_cols)
}
write_data(apistrat, "apistrat.csv")
write_data(apiclus1, "apiclus1.csv")

out <- list()
put <- function(key, value) {
  value <- as.numeric(value)
  if (length(value) == 1) {
    out[[key]] <<- value
  } else {
    for (i in seq_along(value)) out[[paste0(key, ".", i)]] <<- value[[i]]
  }
}
put_stat <- function(prefix, s) {
  put(paste0(prefix, ".est"), coef(s))
  put(paste0(prefix, ".se"), SE(s))
  if (!is.null(attr(s, "deff"))) put(paste0(prefix, ".deff"), diag(as.matrix(attr(s, "deff"))))
}
put_by <- function(prefix, b) {
  put(paste0(prefix, ".est"), coef(b))
  put(paste0(prefix, ".se"), SE(b))
  if (!is.null(b$DEff)) put(paste0(prefix, ".deff"), deff(b))
}
put_ciprop <- function(prefix, p) {
  put(paste0(prefix, ".est"), coef(p))
  put(paste0(prefix, ".se"), SE(p))
  put(paste0(prefix, ".ci"), attr(p, "ci"))
}

# ---- apistrat: stratified by school type, with finite population correction
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
put("strat.degf", degf(dstrat))
put_stat("strat.mean", svymean(~api00 + enroll, dstrat, deff = TRUE))
put_stat("strat.total", svytotal(~enroll, dstrat, deff = TRUE))
put("strat.mean.confint", confint(svymean(~api00, dstrat)))
put_stat("strat.prop.schwide", svymean(~sch.wide, dstrat, deff = TRUE))
put_by("strat.by_stype.mean", svyby(~api00, ~stype, dstrat, svymean, deff = TRUE))
put_by("strat.by_schwide.mean", svyby(~api00, ~sch.wide, dstrat, svymean, deff = TRUE))
put_by("strat.by_stype.total", svyby(~enroll, ~stype, dstrat, svytotal, deff = TRUE))
for (m in c("logit", "beta", "mean")) {
  put_ciprop(paste0("strat.ciprop.", m), svyciprop(~I(sch.wide == "Yes"), dstrat, method = m))
  b <- svyby(~I(comp.imp == "Yes"), ~stype, dstrat, svyciprop, method = m, vartype = c("se", "ci"))
  put(paste0("strat.by_stype.ciprop.", m, ".est"), coef(b))
  put(paste0("strat.by_stype.ciprop.", m, ".se"), SE(b))
  put(paste0("strat.by_stype.ciprop.", m, ".low"), b$ci_l)
  put(paste0("strat.by_stype.ciprop.", m, ".high"), b$ci_u)
}

r <- svyratio(~api00, ~api99, dstrat)
put("strat.ratio.est", coef(r))
put("strat.ratio.se", SE(r))
rb <- svyby(~api00, ~stype, dstrat, svyratio, denominator = ~api99)
put("strat.by_stype.ratio.est", coef(rb))
put("strat.by_stype.ratio.se", SE(rb))

# ---- apiclus1: one-stage cluster sample of school districts
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
put("clus.degf", degf(dclus1))
put_stat("clus.mean", svymean(~api00 + enroll, dclus1, deff = TRUE))
put_stat("clus.total", svytotal(~enroll, dclus1, deff = TRUE))
put_by("clus.by_stype.mean", svyby(~api00, ~stype, dclus1, svymean, deff = TRUE))
for (m in c("logit", "beta", "mean")) {
  put_ciprop(paste0("clus.ciprop.", m), svyciprop(~I(sch.wide == "Yes"), dclus1, method = m))
}

# ---- post-stratification on school type
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
dclus1p <- postStratify(dclus1, ~stype, pop.types)
put_stat("post.mean", svymean(~api00 + enroll, dclus1p, deff = TRUE))
put_stat("post.total", svytotal(~enroll, dclus1p, deff = TRUE))
put_by("post.by_schwide.mean", svyby(~api00, ~sch.wide, dclus1p, svymean, deff = TRUE))
put_ciprop("post.ciprop.beta", svyciprop(~I(sch.wide == "Yes"), dclus1p, method = "beta"))
put_ciprop("post.ciprop.logit", svyciprop(~I(sch.wide == "Yes"), dclus1p, method = "logit"))

# ---- raking on two margins (tight convergence)
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                control = list(maxit = 200, epsilon = 1e-13))
put("rake.weights.sum", sum(weights(dclus1r)))
put("rake.weights.first", weights(dclus1r)[1:5])
put_stat("rake.mean", svymean(~api00 + enroll, dclus1r, deff = TRUE))
put_stat("rake.total", svytotal(~enroll, dclus1r, deff = TRUE))
put_by("rake.by_stype.mean", svyby(~api00, ~stype, dclus1r, svymean, deff = TRUE))

# ---- linear calibration (GREG) on school type and api99
pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
dclus1g <- calibrate(dclus1, ~stype + api99, pop.totals)
put("cal.weights.first", weights(dclus1g)[1:5])
put_stat("cal.mean", svymean(~api00 + enroll, dclus1g, deff = TRUE))
put_stat("cal.total", svytotal(~enroll, dclus1g, deff = TRUE))
put_by("cal.by_schwide.mean", svyby(~api00, ~sch.wide, dclus1g, svymean, deff = TRUE))
put_ciprop("cal.ciprop.beta", svyciprop(~I(sch.wide == "Yes"), dclus1g, method = "beta"))

# ---- bounded linear calibration (g within [0.6, 1.8])
dclus1b <- calibrate(dclus1, ~stype + api99, pop.totals, bounds = c(0.6, 1.8),
                     epsilon = 1e-13, maxit = 100)
put("calbound.g.range", range(weights(dclus1b) / weights(dclus1)))
put_stat("calbound.mean", svymean(~api00 + enroll, dclus1b, deff = TRUE))

# ---- raking calibration (calfun = "raking") on two margins, on the stratified design
pop.raking <- c(`(Intercept)` = 6194, sch.wideYes = 5122, comp.impYes = 3900)
dstratk <- calibrate(dstrat, ~sch.wide + comp.imp, pop.raking, calfun = "raking", epsilon = 1e-13)
put("calrake.weights.first", weights(dstratk)[1:5])
put_stat("calrake.mean", svymean(~api00 + enroll, dstratk, deff = TRUE))
put_by("calrake.by_stype.mean", svyby(~api00, ~stype, dstratk, svymean, deff = TRUE))

# ---- jackknife replicate weights
rclus1 <- as.svrepdesign(dclus1, type = "JK1")
put_stat("jk1.mean", svymean(~api00 + enroll, rclus1))
put_stat("jk1.total", svytotal(~enroll, rclus1))
rstrat <- as.svrepdesign(dstrat, type = "JKn")
put_stat("jkn.mean", svymean(~api00 + enroll, rstrat))
put_stat("jkn.total", svytotal(~enroll, rstrat))

# ---- replicate designs calibrated replicate by replicate (R's svyrep.design methods)
rclus1p <- postStratify(rclus1, ~stype, pop.types)
put_stat("jk1.post.mean", svymean(~api00 + enroll, rclus1p))
rstratk <- calibrate(rstrat, ~sch.wide + comp.imp, pop.raking, calfun = "raking", epsilon = 1e-13)
put_stat("jkn.calrake.mean", svymean(~api00 + enroll, rstratk))

# ---- a domain against the whole population (compare_to_overall)
# The domain is part of the whole, so the two means are correlated. Written as a nonlinear
# contrast of four totals estimated jointly, mean(domain) - mean(all) = yd/nd - ya/na, whose
# SE svycontrast takes by the delta method on svytotal's covariance (an independent path
# from the engine's influence values). A missing y leaves the respondent out of both means
# (na.rm); p-value: t with the design's degrees of freedom.
put_gap <- function(prefix, design, y, dom) {
  ans <- !is.na(y)
  for (lv in sort(unique(as.character(dom)))) {
    inside <- ans & as.character(dom) == lv
    design$variables$yd <- ifelse(inside, y, 0)
    design$variables$nd <- as.numeric(inside)
    design$variables$ya <- ifelse(ans, y, 0)
    design$variables$na <- as.numeric(ans)
    g <- svycontrast(svytotal(~yd + nd + ya + na, design), quote(yd / nd - ya / na))
    key <- paste0(prefix, ".", lv)
    put(paste0(key, ".est"), coef(g))
    put(paste0(key, ".se"), SE(g))
    put(paste0(key, ".p"), 2 * pt(-abs(coef(g) / SE(g)), degf(design)))
  }
}
put_gap("gap.strat.schwide", dstrat, as.numeric(apistrat$sch.wide == "Yes"), apistrat$stype)
put_gap("gap.strat.api00na", dstrat, ifelse(apistrat$meals > 80, NA, apistrat$api00),
        apistrat$stype)
put_gap("gap.rake.api00", dclus1r, apiclus1$api00, apiclus1$stype)
put_gap("gap.cal.api00na", dclus1g, ifelse(apiclus1$meals > 80, NA, apiclus1$api00),
        apiclus1$sch.wide)

# ---- margins coded as numbers (issue 16): region 1-3, sex 1-2, age band 1-4
# Most French files code these as numbers; the CSV gives them as numbers (read as floats),
# and the design file keys them 1, "2" or 3.0: all must match by value.
set.seed(16)
nc <- 360
numcodes <- data.frame(st = rep(1:3, each = 120), psu = rep(1:36, each = 10))
numcodes$w <- round(c(30, 25, 20)[numcodes$st] * runif(nc, 0.8, 1.25), 3)
numcodes$reg <- sample(1:3, nc, replace = TRUE, prob = c(0.5, 0.3, 0.2))
numcodes$sex <- sample(1:2, nc, replace = TRUE)
numcodes$age <- sample(1:4, nc, replace = TRUE)
numcodes$x <- round(runif(nc, 0, 20), 2)
numcodes$y <- round(40 + 4 * numcodes$age + 0.5 * numcodes$x + rnorm(nc, 0, 8), 2)
write.csv(numcodes, "numcodes.csv", row.names = FALSE)
dnum <- svydesign(ids = ~psu, strata = ~st, weights = ~w, data = numcodes)
pop.reg <- data.frame(reg = 1:3, Freq = c(4400, 2700, 1800))
pop.sex <- data.frame(sex = 1:2, Freq = c(4300, 4600))
pop.age <- data.frame(age = 1:4, Freq = c(2000, 2400, 2500, 2000))
dnump <- postStratify(dnum, ~reg, pop.reg)
put_stat("num.post.mean", svymean(~y + x, dnump))
put_by("num.post.by_reg.total", svyby(~y, ~reg, dnump, svytotal))
dnumr <- rake(dnum, list(~sex, ~age), list(pop.sex, pop.age),
              control = list(maxit = 200, epsilon = 1e-13))
put_stat("num.rake.mean", svymean(~y + x, dnumr))
put_by("num.rake.by_sex.mean", svyby(~y, ~sex, dnumr, svymean))
pop.num <- c(`(Intercept)` = 8900, `factor(reg)2` = 2700, `factor(reg)3` = 1800,
             `factor(age)2` = 2400, `factor(age)3` = 2500, `factor(age)4` = 2000, x = 92000)
dnumg <- calibrate(dnum, ~factor(reg) + factor(age) + x, pop.num)
put_stat("num.cal.mean", svymean(~y, dnumg))
put_by("num.cal.by_sex.mean", svyby(~y, ~sex, dnumg, svymean))

values <- unlist(out)
write.csv(data.frame(key = names(values), value = sprintf("%.17g", values)),
          "reference.csv", row.names = FALSE, quote = FALSE)
cat("wrote", length(values), "reference values\n")
