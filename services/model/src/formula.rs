//! The guard against spreadsheet formula injection, shared by every CSV and XLSX writer (bundle
//! export, CLI tables, checklists) and undone by the bundle readers so that exports round-trip.
//!
//! A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read
//! by a spreadsheet as a formula; such text is written with a leading `'`. Text that already
//! starts with one or more `'` followed by one of those characters gets one more `'`, so that
//! [`unguard_formula`] can always take exactly one away: `unguard(guard(s)) == s` for every `s`.
//! Numbers written as numbers (a negative count, say) are not text and are never guarded.

use std::borrow::Cow;

/// The first characters that make a spreadsheet evaluate a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` is written with a leading `'` by [`guard_formula`].
pub fn needs_formula_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// `text` as it is written into a CSV or XLSX text cell: with a leading `'` when a spreadsheet
/// would otherwise read it as a formula (see the module documentation).
pub fn guard_formula(text: &str) -> Cow<'_, str> {
    if needs_formula_guard(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text a guarded cell stood for: one leading `'` removed when [`guard_formula`] put it
/// there (the rest, after any further `'`, starts with a formula trigger); else `text` itself.
pub fn unguard_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if needs_formula_guard(rest) => rest,
        _ => text,
    }
}

/// Whether `text` is a plain decimal number (`-3`, `0.25`, `1e9`): such cells of analytics
/// tables are numbers, not text, and are written unguarded.
pub fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (digits(a) || a.is_empty())
                && (digits(b) || b.is_empty())
                && !(a.is_empty() && b.is_empty())
        }
        None => digits(mantissa),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => digits(e.strip_prefix(['-', '+']).unwrap_or(e)),
    };
    mantissa_ok && exponent_ok
}

/// A cell of an analytics table written as CSV: numbers as they are, text guarded.
pub fn guard_table_cell(text: &str) -> Cow<'_, str> {
    if is_plain_number(text) {
        Cow::Borrowed(text)
    } else {
        guard_formula(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_guarded_and_plain_text_is_not() {
        for s in [
            "=1+1", "+86 21", "-x", "@SUM(A1)", "\tcmd", "\rcmd", "'=x", "''-y",
        ] {
            assert_eq!(guard_formula(s), format!("'{s}"), "{s:?}");
        }
        for s in ["", "abc", "党支部", "'quoted", "a=b", " =x", "1-2"] {
            assert_eq!(guard_formula(s), s, "{s:?}");
        }
    }

    #[test]
    fn unguard_undoes_guard_for_every_shape() {
        let samples = [
            "", "'", "''", "=", "'=", "''=", "-S-01", "'-S-01", "x", "'x", "''x", "@", "\t", "a'=",
        ];
        for s in samples {
            assert_eq!(unguard_formula(&guard_formula(s)), s, "{s:?}");
        }
        // Hand-written cells: a lone quote before text that is not a formula stays.
        assert_eq!(unguard_formula("'abc"), "'abc");
        assert_eq!(unguard_formula("'-abc"), "-abc");
    }

    #[test]
    fn plain_numbers() {
        for s in ["0", "-3", "12.5", "-0.25", "1e9", "2.5E-3", ".5", "5."] {
            assert!(is_plain_number(s), "{s}");
        }
        for s in [
            "", "-", ".", "-inf", "NaN", "1-1", "=1", "1e", "--1", "1.2.3", "+1",
        ] {
            assert!(!is_plain_number(s), "{s}");
        }
        assert_eq!(guard_table_cell("-3"), "-3");
        assert_eq!(guard_table_cell("-x"), "'-x");
    }
}
