//! Progress of long store operations on stderr: a redrawn bar when stderr is a terminal,
//! nothing otherwise (logs get the commands' own one-line summaries instead).

use dangjian_neo4j::Progress;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The progress reporter for this process: a bar on a terminal, else none.
pub fn for_stderr() -> Option<std::sync::Arc<dyn Progress>> {
    std::io::stderr()
        .is_terminal()
        .then(|| std::sync::Arc::new(Bar::default()) as std::sync::Arc<dyn Progress>)
}

#[derive(Default)]
struct State {
    what: String,
    total: Option<u64>,
    done: u64,
    started: Option<Instant>,
    drawn: Option<Instant>,
}

/// A one-line bar, redrawn at most ten times a second.
#[derive(Default)]
struct Bar(Mutex<State>);

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl State {
    fn line(&self) -> String {
        let secs = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        let rate = if secs > 0.0 {
            self.done as f64 / secs
        } else {
            0.0
        };
        match self.total {
            Some(total) if total > 0 => {
                let frac = (self.done as f64 / total as f64).min(1.0);
                let filled = (frac * 30.0).round() as usize;
                format!(
                    "{} [{}{}] {:>3.0}% {}/{} {}/s",
                    self.what,
                    "#".repeat(filled),
                    "-".repeat(30 - filled),
                    frac * 100.0,
                    grouped(self.done),
                    grouped(total),
                    grouped(rate as u64)
                )
            }
            _ if self.done == 0 => format!("{} …", self.what),
            _ => format!(
                "{} {} {}/s",
                self.what,
                grouped(self.done),
                grouped(rate as u64)
            ),
        }
    }
}

fn draw(line: &str) {
    let mut e = std::io::stderr().lock();
    // Carriage return, the line, clear to the end of the line.
    let _ = write!(e, "\r{line}\x1b[K");
    let _ = e.flush();
}

impl Progress for Bar {
    fn begin(&self, what: &str, total: Option<u64>) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *s = State {
            what: what.to_owned(),
            total,
            done: 0,
            started: Some(Instant::now()),
            drawn: Some(Instant::now()),
        };
        draw(&s.line());
    }

    fn advance(&self, n: u64) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.done += n;
        if s.drawn
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            s.drawn = Some(Instant::now());
            draw(&s.line());
        }
    }

    fn end(&self) {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        draw(&s.line());
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_line_shows_share_counts_and_rate() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(2_040_123), "2,040,123");
        let s = State {
            what: "writing".into(),
            total: Some(200),
            done: 50,
            started: None,
            drawn: None,
        };
        assert_eq!(
            s.line(),
            format!(
                "writing [{}{}]  25% 50/200 0/s",
                "#".repeat(8),
                "-".repeat(22)
            )
        );
    }
}
