//! Resolving source ids to canonical ones: games through the schedule, players through
//! the crosswalk and the names seen.

use propcast_core::{Date, GameId, GameRef, PlayerId, Season, SeasonCalendar, SeasonType, Team};
use rustc_hash::FxHashMap as HashMap;

/// What the schedule says about one game.
#[derive(Debug, Clone)]
pub struct GameInfo {
    /// Canonical id.
    pub id: GameId,
    /// Season.
    pub season: Season,
    /// Game type.
    pub season_type: SeasonType,
    /// NBA.com id, if known.
    pub nba_id: Option<String>,
    /// Text forms, computed once: the id, the date and the season.
    pub text: GameText,
}

/// A game's canonical text forms (formatting dates per row is costly).
#[derive(Debug, Clone, Default)]
pub struct GameText {
    /// `YYYYMMDD_AWAY_HOME`.
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `2024-25`.
    pub season: String,
}

impl GameInfo {
    /// A game with its text forms.
    pub fn new(id: GameId, season: Season, season_type: SeasonType, nba_id: Option<String>) -> GameInfo {
        let text = GameText { id: id.to_string(), date: id.date.to_string(), season: season.to_string() };
        GameInfo { id, season, season_type, nba_id, text }
    }
}

/// Every scheduled game, findable by any of its ids.
#[derive(Debug, Default)]
pub struct GameIndex {
    games: HashMap<GameId, GameInfo>,
    by_nba: HashMap<String, GameId>,
    by_date_home: HashMap<(Date, Team), GameId>,
    /// The season calendar derived from the same games.
    pub calendar: SeasonCalendar,
}

impl GameIndex {
    /// Builds the index and the calendar.
    pub fn new(games: Vec<GameInfo>) -> GameIndex {
        let calendar = SeasonCalendar::from_games(games.iter().map(|g| (g.season, g.season_type, g.id.date)));
        let mut idx = GameIndex { calendar, ..Default::default() };
        for g in games {
            if let Some(n) = &g.nba_id {
                idx.by_nba.insert(n.clone(), g.id);
            }
            idx.by_date_home.insert((g.id.date, g.id.home), g.id);
            idx.games.insert(g.id, g);
        }
        idx
    }

    /// The game a source id names, if scheduled.
    pub fn resolve(&self, r: &GameRef) -> Option<&GameInfo> {
        let id = match r {
            GameRef::Canonical(g) => *g,
            GameRef::Bbref { date, home } => *self.by_date_home.get(&(*date, *home))?,
            GameRef::Nba(n) => *self.by_nba.get(n)?,
        };
        self.games.get(&id)
    }

    /// The game on `date` with `home` at home.
    pub fn by_date_home(&self, date: Date, home: Team) -> Option<&GameInfo> {
        self.games.get(self.by_date_home.get(&(date, home))?)
    }

    /// A one-line description of the seasons' spans, for error messages.
    pub fn seasons_text(&self) -> String {
        let v: Vec<String> = self
            .calendar
            .seasons()
            .map(|s| {
                let first = s.game_dates.first().copied().unwrap_or(s.regular_start);
                format!("{} {}…{}", s.season, first, s.season_end)
            })
            .collect();
        if v.is_empty() {
            "the schedule is empty".into()
        } else {
            v.join(", ")
        }
    }
}

/// Player ids known from the crosswalk, and name keys seen with a canonical id.
#[derive(Debug, Default, Clone)]
pub struct PlayerIndex {
    nba_to_slug: HashMap<String, String>,
    slug_to_nba: HashMap<String, String>,
    by_lookup: HashMap<String, Option<PlayerId>>,
}

impl PlayerIndex {
    /// A digest of everything the index resolves with (crosswalk pairs and names): equal
    /// digests resolve every row alike.
    pub fn digest(&self) -> String {
        let mut cw: Vec<_> = self.nba_to_slug.iter().collect();
        cw.sort_unstable();
        let mut names: Vec<_> = self.by_lookup.iter().collect();
        names.sort_unstable();
        let mut h = propcast_store::RowHasher::new();
        for (a, b) in cw {
            h.bytes(a.as_bytes());
            h.bytes(b.as_bytes());
        }
        h.bytes(b"names");
        for (l, id) in names {
            h.bytes(l.as_bytes());
            h.bytes(id.as_ref().map_or(&b"?"[..], |i| i.as_str().as_bytes()));
        }
        h.finish()
    }

    /// Adds one crosswalk pair.
    pub fn add_crosswalk(&mut self, slug: &str, nba: &str) {
        self.nba_to_slug.insert(nba.to_string(), slug.to_string());
        self.slug_to_nba.insert(slug.to_string(), nba.to_string());
    }

    /// Records that `lookup` names `id`; a key seen with two ids becomes ambiguous.
    pub fn add_name(&mut self, lookup: &str, id: &PlayerId) {
        match self.by_lookup.get(lookup) {
            None => {
                self.by_lookup.insert(lookup.to_string(), Some(id.clone()));
            }
            Some(Some(prev)) if prev != id => {
                self.by_lookup.insert(lookup.to_string(), None);
            }
            _ => {}
        }
    }

    /// Canonicalizes: a slug stays; `nba:<id>` becomes the slug when the crosswalk knows it.
    pub fn canonical(&self, id: PlayerId) -> PlayerId {
        match id.nba_id().and_then(|n| self.nba_to_slug.get(n)) {
            Some(slug) => PlayerId::parse(slug).unwrap_or(id),
            None => id,
        }
    }

    /// The canonical id for an NBA.com person id.
    pub fn by_nba_id(&self, nba: &str) -> Option<PlayerId> {
        PlayerId::from_nba(nba).ok().map(|p| self.canonical(p))
    }

    /// The NBA.com id of a canonical player, if known.
    pub fn nba_of(&self, id: &PlayerId) -> Option<String> {
        id.nba_id().map(str::to_string).or_else(|| self.slug_to_nba.get(id.as_str()).cloned())
    }

    /// The unique player with this name key, if exactly one is known.
    pub fn by_lookup(&self, lookup: &str) -> Option<&PlayerId> {
        self.by_lookup.get(lookup).and_then(|o| o.as_ref())
    }
}
