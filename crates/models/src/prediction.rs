//! One `player_prop_predictions` row, shared by every system.

use propcast_store::Value;

/// Predictions are clamped to 0-60 points (spec §6.2).
pub(crate) fn clamp_points(p: f64) -> f64 {
    p.clamp(0.0, 60.0)
}

/// A prediction of one system for one player and game.
pub(crate) struct Prediction<'a> {
    pub system: &'a str,
    pub player: String,
    pub game: String,
    pub date: String,
    pub predicted: f64,
    pub p_over: Option<f64>,
    pub line: Option<f64>,
    pub books: Option<i64>,
    pub confidence: f64,
    pub recommendation: &'a str,
    pub model_id: &'a str,
    pub key_factors: Option<String>,
    pub warnings: Option<String>,
}

impl Prediction<'_> {
    /// The row in `player_prop_predictions` column order (version 1, active, not superseded).
    pub fn values(self) -> Vec<Value> {
        let real = |x: Option<f64>| x.map(Value::Real).unwrap_or(Value::Null);
        vec![
            Value::Text(self.system.into()),
            Value::Text(self.player),
            Value::Text(self.game),
            Value::Text(self.date),
            Value::Integer(1),
            Value::Real(self.predicted),
            real(self.p_over),
            real(self.line),
            self.line.map(|_| Value::Text("consensus".into())).unwrap_or(Value::Null),
            self.books.map(Value::Integer).unwrap_or(Value::Null),
            real(self.line.map(|l| self.predicted - l)),
            Value::Real(self.confidence),
            Value::Text(self.recommendation.into()),
            Value::Text(self.model_id.into()),
            self.key_factors.map(Value::Text).unwrap_or(Value::Null),
            self.warnings.map(Value::Text).unwrap_or(Value::Null),
            Value::Integer(1),
            Value::Null,
        ]
    }
}
