//! The prediction thresholds (spec §6.2) and the quality-gate mode (spec §6.1), from
//! `config/predictions.toml` (compiled in) and `<home>/predictions.toml` (optional, partial).

use crate::gate::Mode;
use std::collections::BTreeMap;
use std::path::Path;

/// The default configuration, compiled in from `config/predictions.toml`.
pub const DEFAULT_PREDICTIONS_TOML: &str = include_str!("../../../config/predictions.toml");

/// The systems a configuration must give thresholds for.
pub const SYSTEMS: &[&str] = &["moving_average", "zone_matchup", "similarity", "gbm", "ensemble"];

/// When a prediction becomes a pick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// |predicted − line| must exceed (or reach, when inclusive) this, points.
    pub min_edge: f64,
    /// The confidence must exceed (or reach) this, 0-1.
    pub min_confidence: f64,
    /// "At least" (≥) rather than "above" (>).
    pub inclusive: bool,
}

impl Thresholds {
    /// The recommendation contract: NO_LINE without a line; PASS when the edge or the
    /// confidence falls short; else OVER or UNDER.
    pub fn pick(&self, predicted: f64, line: Option<f64>, confidence: f64) -> &'static str {
        let Some(line) = line else { return "NO_LINE" };
        let edge = predicted - line;
        let short = |v: f64, min: f64| if self.inclusive { v < min } else { v <= min };
        if short(edge.abs(), self.min_edge) || short(confidence, self.min_confidence) {
            "PASS"
        } else if edge > 0.0 {
            "OVER"
        } else {
            "UNDER"
        }
    }

    /// A readable fingerprint, part of the system's recorded version.
    fn fingerprint(&self) -> String {
        let op = if self.inclusive { ">=" } else { ">" };
        format!("edge{op}{} conf{op}{}", self.min_edge, self.min_confidence)
    }
}

/// The whole prediction configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemsConfig {
    /// The quality-gate mode the run predicts in.
    pub mode: Mode,
    thresholds: BTreeMap<String, Thresholds>,
}

impl Default for SystemsConfig {
    /// The compiled-in defaults (a unit test proves they parse).
    fn default() -> Self {
        let mut c = SystemsConfig { mode: Mode::Backfill, thresholds: BTreeMap::new() };
        if let Err(e) = c.merge(DEFAULT_PREDICTIONS_TOML, "config/predictions.toml") {
            panic!("the compiled-in prediction config is invalid: {e}");
        }
        c
    }
}

impl SystemsConfig {
    /// The defaults, then `<home>/predictions.toml` if present.
    pub fn load(home: &Path) -> Result<SystemsConfig, String> {
        let mut c = SystemsConfig::default();
        let user = home.join("predictions.toml");
        if user.exists() {
            let text = std::fs::read_to_string(&user).map_err(|e| format!("{}: {e}", user.display()))?;
            c.merge(&text, &user.display().to_string())?;
        }
        Ok(c)
    }

    /// Applies the keys of one TOML text over the current values.
    pub fn merge(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let bad = |m: String| format!("{origin}: {m}");
        let table: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
        for (section, value) in &table {
            let toml::Value::Table(t) = value else {
                return Err(bad(format!("`{section}` must be a table")));
            };
            if section == "gate" {
                for (k, v) in t {
                    match (k.as_str(), v.as_str()) {
                        ("mode", Some(m)) => {
                            self.mode = Mode::parse(m).ok_or_else(|| {
                                bad(format!(
                                    "gate.mode `{m}` is not one of first, final_retry, last_call, backfill"
                                ))
                            })?
                        }
                        _ => return Err(bad(format!("unknown key gate.{k}"))),
                    }
                }
                continue;
            }
            if !SYSTEMS.contains(&section.as_str()) {
                return Err(bad(format!("unknown system `{section}` (known: {})", SYSTEMS.join(", "))));
            }
            let mut th = self.thresholds.get(section).copied().unwrap_or(Thresholds {
                min_edge: f64::NAN,
                min_confidence: f64::NAN,
                inclusive: true,
            });
            for (k, v) in t {
                let num = || {
                    v.as_float()
                        .or_else(|| v.as_integer().map(|i| i as f64))
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .ok_or_else(|| bad(format!("{section}.{k} must be a non-negative number")))
                };
                match k.as_str() {
                    "min_edge" => th.min_edge = num()?,
                    "min_confidence" => {
                        th.min_confidence = num()?;
                        if th.min_confidence > 1.0 {
                            return Err(bad(format!("{section}.min_confidence is 0-1")));
                        }
                    }
                    "inclusive" => {
                        th.inclusive = v
                            .as_bool()
                            .ok_or_else(|| bad(format!("{section}.inclusive must be true or false")))?
                    }
                    _ => return Err(bad(format!("unknown key {section}.{k}"))),
                }
            }
            if th.min_edge.is_nan() || th.min_confidence.is_nan() {
                return Err(bad(format!("{section} needs min_edge and min_confidence")));
            }
            self.thresholds.insert(section.clone(), th);
        }
        if let Some(s) = SYSTEMS.iter().find(|s| !self.thresholds.contains_key(**s)) {
            return Err(bad(format!("no thresholds for system `{s}`")));
        }
        Ok(())
    }

    /// The thresholds of a system.
    pub fn thresholds(&self, system: &str) -> Thresholds {
        self.thresholds.get(system).copied().unwrap_or(Thresholds {
            min_edge: f64::INFINITY,
            min_confidence: 1.0,
            inclusive: true,
        })
    }

    /// A system's pick after the quality gate of the configured mode: an OVER or UNDER of a
    /// blocked row becomes PASS; the gate's reason, if any, comes with it.
    pub fn gate(
        &self,
        pick: &'static str,
        quality: crate::gate::RowQuality,
    ) -> (&'static str, Option<String>) {
        let block = crate::gate::blocked(self.mode, quality);
        (crate::gate::gated(pick, &block), block)
    }

    /// The version a system's partitions record: its code version, its thresholds and the
    /// gate mode.
    pub fn version(&self, code: &str, system: &str) -> String {
        format!("{code} [{} gate {}]", self.thresholds(system).fingerprint(), self.mode.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_override() {
        let c = SystemsConfig::default();
        assert_eq!(c.mode, Mode::Backfill);
        let ma = c.thresholds("moving_average");
        assert_eq!((ma.min_edge, ma.min_confidence, ma.inclusive), (2.0, 0.45, false));
        assert_eq!(c.version("ma-4", "moving_average"), "ma-4 [edge>2 conf>0.45 gate backfill]");
        let mut d = c.clone();
        d.merge("[gate]\nmode = \"first\"\n[gbm]\nmin_edge = 3\n", "user").unwrap();
        assert_eq!(d.mode, Mode::First);
        assert_eq!(d.thresholds("gbm").min_edge, 3.0);
        assert_eq!(d.thresholds("gbm").min_confidence, c.thresholds("gbm").min_confidence);
        assert_ne!(d.version("gbm-3", "gbm"), c.version("gbm-3", "gbm"));
        for bad in
            ["[gbm]\nmin_edge = \"x\"", "[nope]\nmin_edge = 1", "[gate]\nmode = \"noon\"", "[gbm]\nfoo = 1"]
        {
            let e = c.clone().merge(bad, "user.toml").unwrap_err();
            assert!(e.starts_with("user.toml: "), "{e}");
        }
    }

    #[test]
    fn pick_rule() {
        let strict = Thresholds { min_edge: 2.0, min_confidence: 0.45, inclusive: false };
        assert_eq!(strict.pick(20.0, None, 0.6), "NO_LINE");
        assert_eq!(strict.pick(20.5, Some(18.5), 0.6), "PASS", "edge 2.0 is not above 2.0");
        assert_eq!(strict.pick(21.0, Some(18.5), 0.6), "OVER");
        assert_eq!(strict.pick(15.0, Some(18.5), 0.6), "UNDER");
        assert_eq!(strict.pick(15.0, Some(18.5), 0.45), "PASS");
        let incl = Thresholds { inclusive: true, ..strict };
        assert_eq!(incl.pick(20.5, Some(18.5), 0.45), "OVER");
        assert_eq!(incl.pick(20.4, Some(18.5), 0.9), "PASS");
    }
}
