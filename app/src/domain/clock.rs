//! Time. Instants are unix seconds; calendar days ("until", "by when") are
//! days in Belgium (Europe/Brussels: UTC+1, UTC+2 in summer time). Tests move
//! a fixed clock forward to let shares expire.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

#[derive(Debug, Clone)]
pub enum Clock {
    System,
    /// A clock that only moves when told to (tests, benchmarks).
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    pub fn fixed(unix: i64) -> Clock {
        Clock::Fixed(Arc::new(AtomicI64::new(unix)))
    }

    pub fn now(&self) -> i64 {
        match self {
            Clock::System => OffsetDateTime::now_utc().unix_timestamp(),
            Clock::Fixed(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Moves a fixed clock forward; a no-op on the system clock.
    pub fn advance(&self, seconds: i64) {
        if let Clock::Fixed(t) = self {
            t.fetch_add(seconds, Ordering::SeqCst);
        }
    }

    /// Today's date in Belgium, as 'YYYY-MM-DD'.
    pub fn today(&self) -> String {
        belgian_date(self.now())
    }
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("valid last day of month");
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().expect("in range");
    }
    day
}

/// The Belgian UTC offset at `unix`: summer time runs from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October.
pub fn belgian_offset(unix: i64) -> UtcOffset {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let year = utc.year();
    let start = last_sunday(year, Month::March)
        .with_hms(1, 0, 0)
        .expect("valid time")
        .assume_utc();
    let end = last_sunday(year, Month::October)
        .with_hms(1, 0, 0)
        .expect("valid time")
        .assume_utc();
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).expect("valid offset")
}

/// The calendar day in Belgium at `unix`, as 'YYYY-MM-DD'.
pub fn belgian_date(unix: i64) -> String {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let local = utc.to_offset(belgian_offset(unix));
    format_date(local.date())
}

/// The Belgian day and time at `unix`, as 'YYYY-MM-DD HH:MM'.
pub fn belgian_datetime(unix: i64) -> String {
    let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let local = utc.to_offset(belgian_offset(unix));
    format!(
        "{} {:02}:{:02}",
        format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses a 'YYYY-MM-DD' day as typed in a form; `None` when it is not one.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belgian_days_follow_summer_time() {
        // 2026-06-30 22:30 UTC is already 1 July in Brussels (UTC+2).
        assert_eq!(belgian_date(1_782_858_600), "2026-07-01");
        // 2026-12-31 22:30 UTC is still 31 December in Brussels (UTC+1).
        assert_eq!(belgian_date(1_798_756_200), "2026-12-31");
        // 2026-12-31 23:30 UTC is 1 January 2027 in Brussels.
        assert_eq!(belgian_date(1_798_759_800), "2027-01-01");
    }

    #[test]
    fn parses_only_real_dates() {
        assert!(parse_date("2026-02-28").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("tomorrow").is_none());
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = Clock::fixed(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(86_400);
        assert_eq!(clock.now(), 87_400);
    }
}
