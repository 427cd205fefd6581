//! Timing: warm up, then interleave the contenders' runs and keep each one's median.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// How long to warm up and to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Warm-up rounds continue until this much time has passed (at least one round).
    pub warmup: Duration,
    /// The measured rounds of one case take about this long, all contenders together.
    pub budget: Duration,
    /// Bounds on the number of measured rounds.
    pub min_runs: usize,
    /// See `min_runs`.
    pub max_runs: usize,
}

impl Settings {
    /// The settings of a full run (the one `docs/benchmarks.md` shows).
    pub const FULL: Settings = Settings {
        warmup: Duration::from_millis(250),
        budget: Duration::from_millis(1200),
        min_runs: 5,
        max_runs: 2000,
    };

    /// A smoke run: one warm-up round and a few measured ones.
    pub const QUICK: Settings = Settings {
        warmup: Duration::ZERO,
        budget: Duration::from_millis(100),
        min_runs: 2,
        max_runs: 50,
    };
}

/// One timed run: how long it took and what it computed.
pub struct Sample {
    /// The time of the measured work alone.
    pub elapsed: Duration,
    /// The result, compared between contenders (0 where there is nothing to compare).
    pub value: i64,
}

/// One engine's part in a comparison.
pub struct Contender<'a> {
    /// Its name, for error messages.
    pub label: &'static str,
    /// Does the work once and times it.
    pub run: Box<dyn FnMut() -> Result<Sample> + 'a>,
}

/// The outcome of a comparison.
pub struct Measured {
    /// The number of measured runs of each contender.
    pub runs: usize,
    /// Each contender's median time, in the contenders' order.
    pub medians: Vec<Duration>,
    /// The largest interquartile range relative to its median, over the contenders: a
    /// rough measure of noise.
    pub spread: f64,
}

/// Warms up, then runs every contender in rounds (starting each round with the next
/// contender, so none always runs first) and returns the medians. Fails as soon as two
/// contenders return different values, or one fails.
pub fn compare(contenders: &mut [Contender<'_>], settings: &Settings) -> Result<Measured> {
    let mut reference = None;
    let mut check = |label: &str, value: i64| -> Result<()> {
        match reference {
            None => reference = Some((label.to_string(), value)),
            Some((ref first, expected)) if expected != value => bail!(
                "results differ: {first} returned {expected} ({expected:#x}), \
                 {label} returned {value} ({value:#x})"
            ),
            Some(_) => {}
        }
        Ok(())
    };

    let warmup_start = Instant::now();
    let mut round_time;
    loop {
        let round_start = Instant::now();
        for contender in contenders.iter_mut() {
            let sample = (contender.run)()?;
            check(contender.label, sample.value)?;
        }
        round_time = round_start.elapsed();
        if warmup_start.elapsed() >= settings.warmup {
            break;
        }
    }

    let wanted = settings.budget.as_secs_f64() / round_time.as_secs_f64().max(1e-9);
    let runs = (wanted as usize).clamp(settings.min_runs, settings.max_runs);
    let mut times = vec![Vec::with_capacity(runs); contenders.len()];
    for round in 0..runs {
        for k in 0..contenders.len() {
            let index = (round + k) % contenders.len();
            let contender = &mut contenders[index];
            let sample = (contender.run)()?;
            check(contender.label, sample.value)?;
            times[index].push(sample.elapsed);
        }
    }

    let mut medians = Vec::with_capacity(times.len());
    let mut spread: f64 = 0.0;
    for samples in &mut times {
        samples.sort_unstable();
        let median = quantile(samples, 0.5);
        let iqr = quantile(samples, 0.75).saturating_sub(quantile(samples, 0.25));
        spread = spread.max(iqr.as_secs_f64() / median.as_secs_f64().max(1e-12));
        medians.push(median);
    }
    Ok(Measured {
        runs,
        medians,
        spread,
    })
}

/// The `q` quantile of sorted, non-empty `samples`, interpolating between neighbours.
fn quantile(samples: &[Duration], q: f64) -> Duration {
    let position = q * (samples.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let weight = position - below as f64;
    samples[below].mul_f64(1.0 - weight) + samples[above].mul_f64(weight)
}

/// The geometric mean of positive ratios (1 for none).
pub fn geometric_mean(ratios: &[f64]) -> f64 {
    if ratios.is_empty() {
        return 1.0;
    }
    (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let ms = |v: u64| Duration::from_millis(v);
        let samples = [ms(1), ms(2), ms(3), ms(10)];
        assert_eq!(quantile(&samples, 0.5), Duration::from_micros(2500));
        assert_eq!(quantile(&samples, 0.0), ms(1));
        assert_eq!(quantile(&samples, 1.0), ms(10));
        assert_eq!(quantile(&[ms(7)], 0.5), ms(7));
    }

    #[test]
    fn geometric_mean_of_ratios() {
        assert!((geometric_mean(&[2.0, 0.5]) - 1.0).abs() < 1e-12);
        assert!((geometric_mean(&[4.0, 1.0]) - 2.0).abs() < 1e-12);
        assert_eq!(geometric_mean(&[]), 1.0);
    }

    #[test]
    fn differing_results_are_an_error() {
        let mut contenders = [
            Contender {
                label: "a",
                run: Box::new(|| {
                    Ok(Sample {
                        elapsed: Duration::ZERO,
                        value: 1,
                    })
                }),
            },
            Contender {
                label: "b",
                run: Box::new(|| {
                    Ok(Sample {
                        elapsed: Duration::ZERO,
                        value: 2,
                    })
                }),
            },
        ];
        let error = compare(&mut contenders, &Settings::QUICK)
            .err()
            .expect("different values must fail");
        assert!(error.to_string().contains("results differ"), "{error}");
    }
}
