# Golden vectors for pipelines/stats: R forecast::dm.test (varestimator = "acf"), base R pt() for
# the Student-t CDF, and the Kupiec proportion-of-failures LR with pchisq(). Writes
# tests/golden/dm-test-r-forecast.json. Run by scripts/golden/dm-test.sh (Debian bookworm:
# r-base-core, r-cran-forecast 8.20-1). jsonlite is not a dependency of forecast, so the JSON is
# written by hand with 17 significant digits, which round-trips every double.
suppressPackageStartupMessages(library(forecast))

num <- function(x) {
  stopifnot(all(is.finite(x)))
  paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]")
}
one <- function(x) sprintf("%.17g", x)
str <- function(x) paste0('"', gsub('"', '\\\\"', x), '"')
obj <- function(...) {
  kv <- list(...)
  paste0("{", paste(paste0(str(names(kv)), ":", unlist(kv)), collapse = ","), "}")
}
arr <- function(items) paste0("[\n", paste(items, collapse = ",\n"), "\n]")

# MA(h-1) noise: what h-step-ahead errors of an optimal forecast look like (overlapping windows).
ma <- function(n, h, sd) {
  z <- rnorm(n + h - 1, sd = sd)
  as.numeric(stats::filter(z, rep(1, h), sides = 1))[h:(n + h - 1)]
}

# Every power x alternative for one pair of error series, with any warning R raised.
dm_results <- function(e1, e2, h) {
  out <- character(0)
  for (power in c(1, 2)) {
    for (alt in c("two.sided", "less", "greater")) {
      warn <- ""
      r <- withCallingHandlers(
        dm.test(e1, e2, alternative = alt, h = h, power = power, varestimator = "acf"),
        warning = function(w) {
          warn <<- conditionMessage(w)
          invokeRestart("muffleWarning")
        }
      )
      out <- c(out, obj(
        power = one(power), alternative = str(alt),
        statistic = one(unname(r$statistic)), pValue = one(r$p.value), warning = str(warn)
      ))
    }
  }
  arr(out)
}

dm_case <- function(name, e1, e2, h) {
  obj(name = str(name), h = one(h), e1 = num(e1), e2 = num(e2), results = dm_results(e1, e2, h))
}

set.seed(20261212)
cases <- character(0)
for (n in c(30, 120, 500)) {
  for (h in c(1, 5, 10)) {
    # Method 2 (the naive forecast, say) and a method 1 that shares most of its error.
    e2 <- ma(n, h, sd = 1)
    e1 <- 0.9 * e2 + ma(n, h, sd = 0.35)
    cases <- c(cases, dm_case(sprintf("ma%d-n%d-h%d", h - 1, n, h), e1, e2, h))
  }
}
# iid errors with method 1 clearly better: a p-value far in the tail.
e2 <- rnorm(200, sd = 2)
e1 <- rnorm(200, sd = 1)
cases <- c(cases, dm_case("iid-n200-h1-far-tail", e1, e2, 1))
# Loss differences that alternate in sign: lag-1 autocovariance ~ -variance, so the h = 2 long-run
# variance is negative and dm.test warns and falls back to h = 1.
n <- 40
e2 <- rep(1, n)
e1 <- ifelse(seq_len(n) %% 2 == 0, 1.5, 0.3) + rnorm(n, sd = 0.01)
cases <- c(cases, dm_case("alternating-n40-h2-negative-variance", e1, e2, 2))

# Student-t CDF, lower tail, from base R.
pt_rows <- character(0)
for (df in c(1, 2, 2.5, 3, 5, 10, 29, 119, 499, 10000)) {
  for (t in c(-40, -10, -3, -1.5, -0.1, 0, 0.5, 2, 5, 12)) {
    pt_rows <- c(pt_rows, obj(t = one(t), df = one(df), p = one(pt(t, df)),
                              upper = one(pt(t, df, lower.tail = FALSE))))
  }
}

# Kupiec POF: LR = -2 ln[(1-p)^(n-x) p^x / ((1-x/n)^(n-x) (x/n)^x)], 0 ln 0 = 0.
xlogy <- function(x, y) ifelse(x == 0, 0, x * log(y))
kupiec_rows <- character(0)
for (row in list(c(250, 0, 0.99), c(250, 2, 0.99), c(250, 7, 0.99), c(250, 250, 0.99),
                 c(500, 25, 0.95), c(500, 40, 0.95), c(100, 20, 0.8), c(100, 35, 0.8),
                 c(20, 1, 0.9), c(20, 20, 0.9), c(1, 0, 0.9), c(1, 1, 0.9))) {
  n <- row[1]; x <- row[2]; coverage <- row[3]
  p <- 1 - coverage
  lr <- -2 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - x / n) - xlogy(x, x / n))
  kupiec_rows <- c(kupiec_rows, obj(n = one(n), misses = one(x), coverage = one(coverage),
                                    lr = one(lr), pValue = one(pchisq(lr, 1, lower.tail = FALSE))))
}

json <- paste0(
  "{\n",
  str("generator"), ":", str("scripts/golden/dm-test.R"), ",\n",
  str("rVersion"), ":", str(paste(R.version$major, R.version$minor, sep = ".")), ",\n",
  str("forecastVersion"), ":", str(as.character(packageVersion("forecast"))), ",\n",
  str("varestimator"), ":", str("acf"), ",\n",
  str("dmTest"), ":", arr(cases), ",\n",
  str("pt"), ":", arr(pt_rows), ",\n",
  str("kupiec"), ":", arr(kupiec_rows), "\n}\n"
)
out <- commandArgs(trailingOnly = TRUE)[1]
if (is.na(out)) out <- "tests/golden/dm-test-r-forecast.json"
writeLines(json, out, sep = "")
cat(sprintf("R %s.%s, forecast %s: %d dm.test cases, %d pt values, %d Kupiec rows -> %s\n",
            R.version$major, R.version$minor, packageVersion("forecast"),
            length(cases), length(pt_rows), length(kupiec_rows), out))
