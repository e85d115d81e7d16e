# Reference values for the explorer's engine (tables.py, quantile.py, models.py),
# produced by R's survey package: svychisq, svymean/svyby on table cells, svyquantile,
# svyglm and regTermTest on the `api` data sets (the same files as make_reference.R).
#
# Run from this folder:  Rscript make_reference_explore.R
# Writes reference_explore.csv (key,value with 17 significant digits).
# Requires the Debian packages r-cran-survey and r-cran-mass (calibrate() loads MASS).

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")
data(api)

# Four categories of the share of pupils with free meals (the Python tests cut the same way).
mealcat <- function(meals) cut(meals, breaks = c(-1, 25, 50, 75, 100), labels = c("a", "b", "c", "d"))
apistrat$mealcat <- mealcat(apistrat$meals)
apiclus1$mealcat <- mealcat(apiclus1$meals)
# A question some respondents did not answer: comp.imp is missing where meals > 80.
apistrat$comp.na <- ifelse(apistrat$meals > 80, NA, as.character(apistrat$comp.imp))
apistrat$api00.na <- ifelse(apistrat$meals > 80, NA, apistrat$api00)

out <- list()
put <- function(key, value) {
  value <- as.numeric(value)
  if (length(value) == 1) {
    out[[key]] <<- value
  } else {
    for (i in seq_along(value)) out[[paste0(key, ".", i)]] <<- value[[i]]
  }
}
put_chisq <- function(prefix, formula, design) {
  f <- svychisq(formula, design, statistic = "F")
  put(paste0(prefix, ".F.statistic"), f$statistic)
  put(paste0(prefix, ".F.parameter"), f$parameter)
  put(paste0(prefix, ".F.p"), f$p.value)
  x <- svychisq(formula, design, statistic = "Chisq")
  put(paste0(prefix, ".Chisq.statistic"), x$statistic)
  put(paste0(prefix, ".Chisq.parameter"), x$parameter)
  put(paste0(prefix, ".Chisq.p"), x$p.value)
}
# Cell proportions in R's order (rows vary fastest), row and column proportions by svyby.
put_cells <- function(prefix, rows, cols, design) {
  cells <- svymean(as.formula(paste0("~interaction(", rows, ", ", cols, ")")), design)
  put(paste0(prefix, ".cell.est"), coef(cells))
  put(paste0(prefix, ".cell.se"), SE(cells))
  # svyby: one row per level of the domain, one column per category; written row by row.
  by_view <- function(var, by) {
    b <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), design, svymean)
    k <- (ncol(b) - 1) / 2
    list(est = t(as.matrix(b[, 1 + seq_len(k)])), se = t(as.matrix(b[, 1 + k + seq_len(k)])))
  }
  byrow <- by_view(cols, rows)
  put(paste0(prefix, ".row.est"), byrow$est)
  put(paste0(prefix, ".row.se"), byrow$se)
  bycol <- by_view(rows, cols)
  put(paste0(prefix, ".column.est"), bycol$est)
  put(paste0(prefix, ".column.se"), bycol$se)
}

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                control = list(maxit = 200, epsilon = 1e-13))
pop.totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
dclus1g <- calibrate(dclus1, ~stype + api99, pop.totals)

# ---- svychisq: stratified, clustered, raked and calibrated designs
for (d in list(list("strat", dstrat), list("clus", dclus1), list("rake", dclus1r),
               list("cal", dclus1g))) {
  put_chisq(paste0("chisq.", d[[1]], ".stype_schwide"), ~stype + sch.wide, d[[2]])
  put_chisq(paste0("chisq.", d[[1]], ".stype_mealcat"), ~stype + mealcat, d[[2]])
  put_cells(paste0("cells.", d[[1]], ".stype_mealcat"), "stype", "mealcat", d[[2]])
}
# ---- missing answers (na.rm) and three-way tables (one test per level of the layer)
put_chisq("chisq.strat.na", ~mealcat + comp.na, dstrat)
for (lv in c("E", "H", "M")) {
  put_chisq(paste0("chisq.strat.layer.", lv), ~sch.wide + mealcat, subset(dstrat, stype == lv))
  put_chisq(paste0("chisq.rake.layer.", lv), ~sch.wide + mealcat, subset(dclus1r, stype == lv))
}

# ---- svyquantile: default rule, Woodruff intervals, overall and by domain
put_q <- function(prefix, q) {
  put(paste0(prefix, ".est"), coef(q))
  put(paste0(prefix, ".se"), SE(q))
  put(paste0(prefix, ".ci"), t(confint(q)))
}
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
put_q("q.strat", svyquantile(~api00 + enroll, dstrat, probs, ci = TRUE, se = TRUE))
put_q("q.clus", svyquantile(~api00, dclus1, probs, ci = TRUE, se = TRUE))
put_q("q.rake", svyquantile(~api00, dclus1r, probs, ci = TRUE, se = TRUE))
put_q("q.cal", svyquantile(~enroll, dclus1g, probs, ci = TRUE, se = TRUE))
put_q("q.strat.na", svyquantile(~api00.na, dstrat, probs, ci = TRUE, se = TRUE, na.rm = TRUE))
for (lv in c("E", "H", "M")) {
  put_q(paste0("q.strat.by.", lv),
        svyquantile(~api00, subset(dstrat, stype == lv), probs, ci = TRUE, se = TRUE))
  put_q(paste0("q.cal.by.", lv),
        svyquantile(~api00, subset(dclus1g, stype == lv), probs, ci = TRUE, se = TRUE))
}
b <- svyby(~api00, ~stype, dclus1, svyquantile, quantiles = probs, ci = TRUE, se = TRUE)
put("q.clus.svyby.est", coef(b))
put("q.clus.svyby.se", as.matrix(SE(b)))  # same order as coef: probability, then domain

# ---- svyglm (gaussian, quasibinomial) and regTermTest, on calibrated designs too
# glm's sandwich uses the working weights of the iteration before the last: the model is
# refitted from its own estimates, so that they are those of the converged coefficients.
tight <- glm.control(epsilon = 1e-14, maxit = 100)
put_glm <- function(prefix, m, test) {
  beta <- coef(m)
  m <- eval(bquote(update(.(m), start = .(beta))))
  s <- summary(m)
  put(paste0(prefix, ".coef"), coef(m))
  put(paste0(prefix, ".se"), SE(m))
  put(paste0(prefix, ".p"), s$coefficients[, 4])
  put(paste0(prefix, ".df"), m$df.residual)
  put(paste0(prefix, ".ci"), t(confint(m)))
  r <- regTermTest(m, test)
  put(paste0(prefix, ".test.F"), r$Ftest)
  put(paste0(prefix, ".test.df"), c(r$df, r$ddf))
  put(paste0(prefix, ".test.p"), r$p)
}
put_glm("glm.cal.gaussian", svyglm(api00 ~ stype + enroll + meals, dclus1g, control = tight),
        ~stype)
put_glm("glm.rake.gaussian", svyglm(api00 ~ stype + meals, dclus1r, control = tight), ~stype)
put_glm("glm.cal.logit",
        svyglm(sch.wide ~ stype + meals, dclus1g, family = quasibinomial(), control = tight),
        ~stype)
put_glm("glm.strat.logit",
        svyglm(sch.wide ~ mealcat + enroll, dstrat, family = quasibinomial(), control = tight),
        ~mealcat)
put_glm("glm.strat.na",
        svyglm(api00.na ~ stype + enroll, dstrat, control = tight), ~stype + enroll)

values <- unlist(out)
write.csv(data.frame(key = names(values), value = sprintf("%.17g", values)),
          "reference_explore.csv", row.names = FALSE, quote = FALSE)
cat("wrote", length(values), "reference values\n")
