//! Small summary statistics shared by the step crates.

/// Arithmetic mean; `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    mean_of(values.iter().copied())
}

/// [`mean`] of the values an iterator yields, without collecting them: the same sum in the
/// same order, so the same bits (the feature code calls it per row on windows of a history).
pub fn mean_of(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (n, mean) = count_and_mean(values);
    (n > 0).then_some(mean)
}

/// How many values an iterator yields, and their mean (NaN when none).
pub fn count_and_mean(values: impl Iterator<Item = f64>) -> (usize, f64) {
    let mut n = 0usize;
    let sum: f64 = values.inspect(|_| n += 1).sum();
    (n, sum / n as f64)
}

/// Median (the mean of the two middle values for an even count); `None` for no values.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

/// Sample standard deviation (divides by n − 1); `None` for fewer than 2 values.
pub fn sample_std(v: &[f64]) -> Option<f64> {
    sample_std_of(v.iter().copied())
}

/// [`sample_std`] of the values an iterator yields (walked twice), without collecting them.
pub fn sample_std_of(v: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let (n, m) = count_and_mean(v.clone());
    if n < 2 {
        return None;
    }
    Some((v.map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt())
}

/// Least-squares slope of `y` against `x0, x0 + 1, …`; `None` for fewer than 2 values.
pub fn slope(y: &[f64]) -> Option<f64> {
    slope_of(y.iter().copied())
}

/// [`slope`] of the values an iterator yields (walked twice), without collecting them.
pub fn slope_of(y: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let (len, ym) = count_and_mean(y.clone());
    if len < 2 {
        return None;
    }
    let n = len as f64;
    let xm = (n - 1.0) / 2.0;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.enumerate() {
        let dx = i as f64 - xm;
        sxy += dx * (v - ym);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn std_and_slope() {
        assert_eq!(sample_std(&[1.0]), None);
        assert!((sample_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap() - 2.138).abs() < 1e-3);
        assert!((slope(&[1.0, 3.0, 5.0, 7.0]).unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(slope(&[4.0]), None);
    }

    #[test]
    fn iterators_give_the_slices_bits() {
        let v = [0.1, 0.7, 1e16, -3.3, 2.0 / 3.0, 5.5, -0.0];
        for k in 0..=v.len() {
            let w = &v[..k];
            let it = w.iter().copied();
            // The slice formula before the iterator versions existed.
            let sliced = (!w.is_empty()).then(|| w.iter().sum::<f64>() / w.len() as f64);
            assert_eq!(mean(w).map(f64::to_bits), sliced.map(f64::to_bits));
            assert_eq!(mean_of(it.clone()).map(f64::to_bits), mean(w).map(f64::to_bits));
            assert_eq!(sample_std_of(it.clone()).map(f64::to_bits), sample_std(w).map(f64::to_bits));
            assert_eq!(slope_of(it).map(f64::to_bits), slope(w).map(f64::to_bits));
        }
        assert_eq!(mean_of([-0.0].into_iter()).map(f64::to_bits), Some((-0.0f64).to_bits()));
    }
}
