# Reference values for observatoire.stats, produced by R's survey package.
#
# Run from this folder:  Rscript make_reference.R
# (it is the one source of reference.csv and of the data sets below: rerun it after any
# change here, then run the tests: .venv/bin/python -m pytest observatoire/stats)
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

# ---- multi-stage designs (issue 16): svyrecvar's recursion into the second stage
# apiclus2: districts (757 in the population), then schools within them, fpc at both stages
keep2 <- c("dnum", "snum", "fpc1", "fpc2", "stype", "sch.wide", "api00", "api99", "enroll")
apiclus2csv <- apiclus2[, keep2]
apiclus2csv$fpc2 <- as.numeric(apiclus2csv$fpc2)
write.csv(apiclus2csv, "apiclus2.csv", row.names = FALSE, quote = c(5, 6))
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
put("clus2.weights.first", weights(dclus2)[1:5])
put("clus2.degf", degf(dclus2))
put_stat("clus2.mean", svymean(~api00 + api99, dclus2))
put_stat("clus2.total", svytotal(~enroll, dclus2, na.rm = TRUE))
put_stat("clus2.prop.schwide", svymean(~sch.wide, dclus2))
r2 <- svyratio(~api00, ~api99, dclus2)
put("clus2.ratio.est", coef(r2))
put("clus2.ratio.se", SE(r2))
put_by("clus2.by_stype.mean", svyby(~api00, ~stype, dclus2, svymean))
put_by("clus2.by_stype.total", svyby(~api99, ~stype, dclus2, svytotal))
rb2 <- svyby(~api00, ~stype, dclus2, svyratio, denominator = ~api99)
put("clus2.by_stype.ratio.est", coef(rb2))
put("clus2.by_stype.ratio.se", SE(rb2))
dclus2p <- postStratify(dclus2, ~stype, pop.types)
put_stat("clus2.post.mean", svymean(~api00 + api99, dclus2p))
put_by("clus2.post.by_schwide.mean", svyby(~api00, ~sch.wide, dclus2p, svymean))

# a stratified two-stage sample drawing about 15 % of the first-stage units, strata at
# both stages, and one second-stage stratum with a single sampled unit (a lonely unit)
set.seed(1716)
rows <- list()
for (h in 1:3) {
  npop <- c(20, 27, 40)[h]
  nsamp <- c(3, 4, 6)[h]
  for (p in sample(1:npop, nsamp)) {
    for (s2 in c("a", "b")) {
      pop2 <- sample(6:18, 1)
      m <- if (h == 2 && s2 == "b" && length(rows) == 0) 1 else sample(2:4, 1)
      for (u in sample(1:pop2, m)) {
        rows[[length(rows) + 1]] <- data.frame(st = h, psu = p, st2 = s2, ssu = u,
                                               fpc1 = npop, fpc2 = pop2)
      }
    }
  }
}
ms <- do.call(rbind, rows)
# the lonely unit: the first sampled PSU of stratum 2 keeps a single unit in its stratum b
lone <- which(ms$st == 2 & ms$st2 == "b")
first_psu <- ms$psu[lone[1]]
drop <- lone[ms$psu[lone] == first_psu][-1]
if (length(drop)) ms <- ms[-drop, ]
ms$x <- round(runif(nrow(ms), 5, 50), 2)
ms$y <- round(10 + 2 * ms$x + 5 * ms$st + rnorm(nrow(ms), 0, 6), 2)
ms$cat <- sample(c("u", "v", "w"), nrow(ms), replace = TRUE)
ms$dom <- sample(c("p", "q"), nrow(ms), replace = TRUE)
write.csv(ms, "multistage.csv", row.names = FALSE)
pop.cat <- data.frame(cat = c("u", "v", "w"), Freq = c(2500, 2900, 2600))
for (rule in c("adjust", "remove", "certainty")) {
  options(survey.lonely.psu = rule)
  dms <- svydesign(ids = ~psu + ssu, strata = ~st + st2, fpc = ~fpc1 + fpc2, data = ms,
                   nest = TRUE)
  key <- paste0("ms.", rule)
  put_stat(paste0(key, ".mean"), svymean(~y + x, dms))
  put_stat(paste0(key, ".total"), svytotal(~y, dms))
  put_stat(paste0(key, ".prop"), svymean(~cat, dms))
  rr <- svyratio(~y, ~x, dms)
  put(paste0(key, ".ratio.est"), coef(rr))
  put(paste0(key, ".ratio.se"), SE(rr))
  put_by(paste0(key, ".by_dom.mean"), svyby(~y, ~dom, dms, svymean))
  put_by(paste0(key, ".by_dom.total"), svyby(~y, ~dom, dms, svytotal))
  dmsp <- postStratify(dms, ~cat, pop.cat)
  put_stat(paste0(key, ".post.mean"), svymean(~y + x, dmsp))
  dmsg <- calibrate(dms, ~cat + x, c(`(Intercept)` = 8000, catv = 2900, catw = 2600, x = 230000))
  put_stat(paste0(key, ".cal.mean"), svymean(~y, dmsg))
  put_by(paste0(key, ".cal.by_dom.mean"), svyby(~y, ~dom, dmsg, svymean))
}
put("ms.weights.first", weights(dms)[1:5])
# one-stage SE (ultimate cluster) against the two-stage one, for the issue's 2.4 %
options(survey.lonely.psu = "fail")
dms1 <- svydesign(ids = ~psu, strata = ~st, fpc = ~fpc1, weights = weights(dms), data = ms,
                 nest = TRUE)
put("ms.onestage.mean.se", SE(svymean(~y, dms1)))

# ---- replicate weights given with the data (issue 16): svrepdesign of each type
# 20 strata of 2 PSUs of 5 rows; the replicate columns are R's as.svrepdesign ones
set.seed(1610)
rep <- data.frame(st = rep(1:20, each = 10), psu = rep(1:40, each = 5))
rep$pw <- round(runif(200, 20, 60), 2)
rep$x <- round(runif(200, 1, 10), 2)
rep$y <- round(3 * rep$x + rnorm(200, 0, 4), 2)
rep$cat <- sample(c("a", "b", "c", NA), 200, replace = TRUE, prob = c(0.4, 0.3, 0.2, 0.1))
rep$dom <- sample(c("p", "q"), 200, replace = TRUE)
drep <- svydesign(ids = ~psu, strata = ~st, weights = ~pw, data = rep)
built <- list(
  brr = as.svrepdesign(drep, type = "BRR", compress = FALSE),
  fay = as.svrepdesign(drep, type = "Fay", fay.rho = 0.3, compress = FALSE),
  jk1 = as.svrepdesign(svydesign(ids = ~psu, weights = ~pw, data = rep), type = "JK1",
                       compress = FALSE),
  jkn = as.svrepdesign(drep, type = "JKn", compress = FALSE),
  boot = as.svrepdesign(drep, type = "bootstrap", replicates = 30, compress = FALSE)
)
for (nm in names(built)) {
  w <- weights(built[[nm]], "analysis")
  for (j in seq_len(ncol(w))) {
    short <- sprintf("%.15g", w[, j])  # 17 digits only where 15 do not give the value back
    rep[[paste0(nm, "_", j)]] <- ifelse(as.numeric(short) == w[, j], short, sprintf("%.17g", w[, j]))
  }
}
write.csv(rep, "repweights.csv", row.names = FALSE, na = "")
for (j in seq_along(built$jkn$rscales)) put(paste0("rep.jkn.rscales.", j), built$jkn$rscales[j])
types <- c(brr = "BRR", fay = "Fay", jk1 = "JK1", jkn = "JKn", boot = "bootstrap")
for (nm in names(types)) {
  for (mse in c(FALSE, TRUE)) {
    cols <- grep(paste0("^", nm, "_"), names(rep))
    wts <- as.data.frame(lapply(rep[, cols], as.numeric))
    args <- list(data = rep, repweights = wts, weights = ~pw, type = types[[nm]],
                 combined.weights = TRUE, mse = mse)
    if (nm == "fay") args$rho <- 0.3
    if (nm == "jkn") args$rscales <- built$jkn$rscales
    if (nm == "jk1") args$scale <- 39 / 40
    rd <- suppressWarnings(do.call(svrepdesign, args))
    key <- paste0("rep.", nm, if (mse) ".mse" else "")
    put_stat(paste0(key, ".mean"), svymean(~y + x, rd))
    put_stat(paste0(key, ".total"), svytotal(~y, rd))
    put_stat(paste0(key, ".prop"), svymean(~cat, subset(rd, !is.na(cat))))
    put_by(paste0(key, ".by_dom.mean"), svyby(~y, ~dom, rd, svymean))
    put_by(paste0(key, ".by_dom.total"), svyby(~y, ~dom, rd, svytotal))
    rdp <- postStratify(rd, ~dom, data.frame(dom = c("p", "q"), Freq = c(4000, 3500)))
    put_stat(paste0(key, ".post.mean"), svymean(~y + x, rdp))
  }
}
# replicate weights built from the design (as.svrepdesign), calibrated replicate by replicate
rjkn <- postStratify(as.svrepdesign(drep, type = "JKn"), ~dom,
                     data.frame(dom = c("p", "q"), Freq = c(4000, 3500)))
put_stat("rep.built.jkn.post.mean", svymean(~y + x, rjkn))
put_by("rep.built.jkn.post.by_dom.total", svyby(~y, ~dom, rjkn, svytotal))

# ---- replicate designs for every estimate kind (issue 16): BRR and Fay built from the
# design, and quantiles, tables and models on replicate designs
pop.dom <- data.frame(dom = c("p", "q"), Freq = c(4000, 3500))
tight <- glm.control(epsilon = 1e-14, maxit = 100)
# R's Hadamard matrices (precooked, Paley, doubled), by size and two weighted sums of
# their entries, for every number of strata up to 300
for (n in 1:300) {
  H <- hadamard(n)
  k <- seq_len(nrow(H))
  put(paste0("hadamard.", n), c(nrow(H), sum(H * outer(k, k^2)), sum(H * outer(k^2, k))))
}
rbrrp <- postStratify(as.svrepdesign(drep, type = "BRR"), ~dom, pop.dom)
put_stat("rep.built.brr.post.mean", svymean(~y + x, rbrrp))
rfay <- as.svrepdesign(drep, type = "Fay", fay.rho = 0.3)
put_stat("rep.built.fay.mean", svymean(~y + x, rfay))
put_by("rep.built.fay.by_dom.total", svyby(~y, ~dom, rfay, svytotal))
rep$hi <- ifelse(rep$y > 16, "oui", "non")
bootw <- as.data.frame(lapply(rep[, grep("^boot_", names(rep))], as.numeric))
sections <- list(
  fay = rfay,
  brrpost = rbrrp,
  bootmse = svrepdesign(data = rep, repweights = bootw, weights = ~pw, type = "bootstrap",
                        combined.weights = TRUE, mse = TRUE)
)
put_q_rep <- function(key, q) {
  put(paste0(key, ".est"), q[[1]][, 1])
  put(paste0(key, ".low"), q[[1]][, 2])
  put(paste0(key, ".high"), q[[1]][, 3])
  put(paste0(key, ".se"), q[[1]][, 4])
}
for (nm in names(sections)) {
  d <- update(sections[[nm]], hi = rep$hi, yna = ifelse(rep$x > 8, NA, rep$y))
  key <- paste0("rs.", nm)
  put(paste0(key, ".degf"), degf(d))
  probs <- c(0.25, 0.5, 0.75)
  for (it in c("mean", "quantile")) {
    put_q_rep(paste0(key, ".q.", it), svyquantile(~y, d, probs, ci = TRUE, se = TRUE,
                                                  interval.type = it))
    for (lv in c("p", "q")) {
      put_q_rep(paste0(key, ".q.", it, ".", lv),
                svyquantile(~y, subset(d, dom == lv), probs, ci = TRUE, se = TRUE,
                            interval.type = it))
    }
  }
  put_q_rep(paste0(key, ".q.na"), svyquantile(~yna, d, probs, ci = TRUE, se = TRUE,
                                             na.rm = TRUE))
  m <- svyglm(yna ~ x + dom, d, control = tight)  # rows with a missing yna left out
  put(paste0(key, ".glm.na.coef"), coef(m))
  put(paste0(key, ".glm.na.se"), SE(m))
  put(paste0(key, ".glm.na.df"), m$df.residual)
  # svyciprop "mean" and "beta" (t on the replicate degf; Korn-Graubard), overall, per
  # domain (svyby subsets the replicate design) and among the answers to cat
  for (ci in c("mean", "beta")) {
    put_ciprop(paste0(key, ".ciprop.", ci), svyciprop(~I(hi == "oui"), d, method = ci))
    b <- svyby(~I(hi == "oui"), ~dom, d, svyciprop, method = ci, vartype = c("se", "ci"))
    put(paste0(key, ".ciprop.", ci, ".by.est"), coef(b))
    put(paste0(key, ".ciprop.", ci, ".by.se"), SE(b))
    put(paste0(key, ".ciprop.", ci, ".by.low"), b$ci_l)
    put(paste0(key, ".ciprop.", ci, ".by.high"), b$ci_u)
    put_ciprop(paste0(key, ".ciprop.", ci, ".na"),
               svyciprop(~I(cat == "a"), subset(d, !is.na(cat)), method = ci))
  }
  # table cat x dom (a missing cat leaves the respondent out): cells of the whole, by row,
  # by column, and the Rao-Scott tests; then cat x hi in each level of dom
  dc <- subset(d, !is.na(cat))
  cells <- svymean(~I(cat == "a" & dom == "p") + I(cat == "a" & dom == "q") +
                     I(cat == "b" & dom == "p") + I(cat == "b" & dom == "q") +
                     I(cat == "c" & dom == "p") + I(cat == "c" & dom == "q"), dc)
  put(paste0(key, ".tab.cell.est"), coef(cells)[c(FALSE, TRUE)])
  put(paste0(key, ".tab.cell.se"), SE(cells)[c(FALSE, TRUE)])
  for (r in c("a", "b", "c")) put_stat(paste0(key, ".tab.row.", r), svymean(~dom, subset(dc, cat == r)))
  for (c in c("p", "q")) put_stat(paste0(key, ".tab.col.", c), svymean(~cat, subset(dc, dom == c)))
  f <- svychisq(~cat + dom, d, statistic = "F")
  put(paste0(key, ".tab.F"), c(f$statistic, f$parameter, f$p.value))
  x <- svychisq(~cat + dom, d, statistic = "Chisq")
  put(paste0(key, ".tab.Chisq"), c(x$statistic, x$p.value))
  for (lv in c("p", "q")) {
    f <- svychisq(~cat + hi, subset(d, dom == lv), statistic = "F")
    put(paste0(key, ".tab3.", lv, ".F"), c(f$statistic, f$parameter, f$p.value))
  }
  # models: linear and logistic, with regTermTest on each term
  m <- svyglm(y ~ x + dom, d, control = tight)
  put(paste0(key, ".glm.gaussian.coef"), coef(m))
  put(paste0(key, ".glm.gaussian.se"), SE(m))
  put(paste0(key, ".glm.gaussian.df"), m$df.residual)
  r <- regTermTest(m, ~dom)
  put(paste0(key, ".glm.gaussian.test.dom"), c(r$Ftest, r$df, r$ddf, r$p))
  m <- suppressWarnings(svyglm(I(hi == "oui") ~ x + cat, d, family = quasibinomial(),
                               control = tight))
  put(paste0(key, ".glm.logit.coef"), coef(m))
  put(paste0(key, ".glm.logit.se"), SE(m))
  r <- regTermTest(m, ~cat)
  put(paste0(key, ".glm.logit.test.cat"), c(r$Ftest, r$df, r$ddf, r$p))
}
rep$hi <- NULL

# ---- cancellation stress with replicate weights: 40,000 values 10,000 +- 10, exact inputs
# (decimal values and binary fractions that Python rebuilds identically); the SE is
# computed on y - 10000 so that R's own sums lose nothing
i <- 0:39999
stress <- data.frame(y = 10000 + ((i * 7919) %% 2001 - 1000) / 100, w = 1 + (i %% 7) / 2)
sw <- sapply(1:20, function(r) stress$w * (1 + ((i * r) %% 5 - 2) / 4))
for (mse in c(FALSE, TRUE)) {
  rs <- svrepdesign(data = stress, repweights = sw, weights = ~w, type = "bootstrap",
                    combined.weights = TRUE, mse = mse)
  key <- paste0("stress.rep", if (mse) ".mse" else "")
  put(paste0(key, ".est"), coef(svymean(~y, rs)))
  put(paste0(key, ".se"), SE(svymean(~I(y - 10000), rs)))
}

values <- unlist(out)
write.csv(data.frame(key = names(values), value = sprintf("%.17g", values)),
          "reference.csv", row.names = FALSE, quote = FALSE)
cat("wrote", length(values), "reference values\n")
