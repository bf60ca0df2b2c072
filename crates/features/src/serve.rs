//! The on-the-fly path: one player's feature row for one game, computed from phase-3 tables
//! alone (every phase-4 value is recomputed in memory with the same functions the phase-4
//! steps use). It is what predicting a game without a stored feature row uses, and the
//! train-equals-serve test compares it with the stored `ml_feature_store` row.

use crate::composite::{CompositeFactors, OppDefense, ShotFacts};
use crate::daily_cache::DailyCache;
use crate::history::{History, Who};
use crate::shot_zone::PlayerShotZone;
use crate::team_defense::{LeagueZones, TeamDefenseZone};
use crate::vector::{build, line_history, ContextRow, FeatureInputs, FeatureRow, Phase4};
use propcast_store::{Result, Warehouse};

/// What the on-the-fly path found for a (game, player).
#[derive(Debug, Clone, PartialEq)]
pub enum Served {
    /// The row.
    Row(Box<(ContextRow, FeatureRow)>),
    /// The player is not in the game's pre-game population.
    NotInPopulation,
    /// The date is in a season's bootstrap window: no features by design.
    Bootstrap,
}

/// The feature row of `player` for `game`, computed on the fly.
pub fn feature_row(wh: &Warehouse, game: &str, player: &str) -> Result<Served> {
    let rows = ContextRow::load(wh, "game_id = ?1", &[game])?;
    let Some(ctx) = rows.iter().find(|c| c.player_id == player) else { return Ok(Served::NotInPopulation) };
    let boot: i64 = wh.conn().query_row(
        "SELECT is_bootstrap FROM game_dates WHERE game_date = ?1",
        [ctx.date.to_string()],
        |r| r.get(0),
    )?;
    if boot == 1 {
        return Ok(Served::Bootstrap);
    }
    let d = ctx.date;
    let out: Vec<String> = rows
        .iter()
        .filter(|c| c.team == ctx.team && c.status == "out" && c.player_id != player)
        .map(|c| c.player_id.clone())
        .collect();
    let mut who = out.clone();
    who.push(player.to_string());
    let history = History::load(wh, d, d, Who::Only(&who), Who::All)?;
    let mine = history.player_before(player, d);

    let shot =
        PlayerShotZone::analyze(mine, ctx.season_year, ctx.day).and_then(|s| s.last_10).map(|z| ShotFacts {
            zone: z.primary_zone().to_string(),
            paint_rate: z.paint_rate,
            mid_rate: z.mid_rate,
            three_rate: z.three_rate,
        });
    let league = LeagueZones::on(&history, d);
    let def = TeamDefenseZone::analyze(history.team_before(&ctx.opp, d), ctx.season_year, ctx.day, league);
    let opp = OppDefense { def_rating: def.def_rating, pace: def.opp_pace, vs_league: def.vs_league_all() };
    let cache = DailyCache::summarize(mine, history.team_before(&ctx.team, d), ctx.season_year, ctx.workload);
    let usage = cache.as_ref().and_then(|c| c.facts.player_usage_rate_season);
    let composite = CompositeFactors::compute(&ctx.composite_inputs(usage, shot.clone(), Some(opp))).facts;
    let p4 = Phase4 {
        cache: cache.map(|c| c.facts),
        composite: Some(composite),
        zones: shot.map(|s| (s.paint_rate, s.mid_rate, s.three_rate)),
        opp: Some(opp),
    };
    let lines = line_history(wh, d, d, Some(player))?;
    let inputs = FeatureInputs {
        ctx,
        p4: &p4,
        history: mine,
        team: history.team_before(&ctx.team, d),
        lines: lines.get(player).map(Vec::as_slice).unwrap_or(&[]),
        teammates_out: out.iter().map(|p| history.player_before(p, d)).collect(),
    };
    let row = build(&inputs);
    Ok(Served::Row(Box::new((ctx.clone(), row))))
}
