//! "Today" as the analytics mean it (SPEC §3): the date in Shanghai (UTC+8, no daylight saving),
//! whatever the server's clock zone.

use crate::Date;
use chrono::{FixedOffset, Utc};

/// Shanghai's offset from UTC (China Standard Time, +08:00 all year).
const SHANGHAI: i32 = 8 * 3600;

/// Today's date in Shanghai: the default `as_of` of every analytics read.
pub fn today() -> Date {
    date_in_shanghai(Utc::now())
}

/// The Shanghai calendar date of an instant.
pub fn date_in_shanghai(at: chrono::DateTime<Utc>) -> Date {
    let zone = FixedOffset::east_opt(SHANGHAI).expect("+08:00 is a valid offset");
    at.with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shanghai_is_already_tomorrow_at_16_utc() {
        for ((h, m, sec), day) in [((16, 0, 0), (7, 1)), ((15, 59, 59), (6, 30))] {
            let at = Utc
                .with_ymd_and_hms(2026, 6, 30, h, m, sec)
                .single()
                .expect("valid");
            let expected = Date::from_ymd_opt(2026, day.0, day.1).expect("valid");
            assert_eq!(date_in_shanghai(at), expected, "at {at}");
        }
    }
}
