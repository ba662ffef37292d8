//! Rendering DOT to SVG or PNG with the real Graphviz `dot` program, killed after a timeout.

use crate::VizError;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;
use wait_timeout::ChildExt;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The DOT text itself (no `dot` run).
    Dot,
    /// SVG with text kept as text (`-Tsvg`), so browsers draw it with their fonts and the
    /// names stay searchable.
    Svg,
    /// PNG through cairo (`-Tpng`), drawn with the font installed on this machine, at most
    /// [`PNG_MAX_INCHES`] inches a side (8,000 px at cairo's 96 dpi, 6,000 px at the 72 dpi
    /// large diagrams ask for) unless the DOT sets its own `size`.
    Png,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 3] = [Format::Dot, Format::Svg, Format::Png];

    /// File extension and wire name (`dot`, `svg`, `png`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Dot => "dot",
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Dot => "text/vnd.graphviz; charset=utf-8",
            Format::Svg => "image/svg+xml",
            Format::Png => "image/png",
        }
    }
}

parse_wire_name!(Format, "format");

/// The `size` passed to `dot` for PNG (inches a side; a drawing larger than this is scaled
/// down to fit, a smaller one is left alone). Rasterising and compressing the pixels is most of
/// a big PNG's time: the city's gaps view was 12,743 × 7,935 px and took 5–7 s.
pub const PNG_MAX_INCHES: f64 = 83.33;

/// Render DOT with the `dot` program on `PATH`. Blocks (use `spawn_blocking` on async
/// runtimes); `dot` is killed when it runs longer than `timeout`.
pub fn render(dot: &str, format: Format, timeout: Duration) -> Result<Vec<u8>, VizError> {
    render_with(OsStr::new("dot"), dot, format, timeout)
}

/// Whether the DOT text sets a `size` attribute (`size=` or `"size"=`, not `fontsize=`).
fn sets_size(dot: &str) -> bool {
    dot.match_indices("size").any(|(i, _)| {
        let word_start = !dot[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let rest = &dot[i + 4..];
        let rest = rest.strip_prefix('"').unwrap_or(rest).trim_start();
        word_start && rest.starts_with('=')
    })
}

/// [`render`] with another `dot` executable (a path or a name looked up on `PATH`).
pub fn render_with(
    program: &OsStr,
    dot: &str,
    format: Format,
    timeout: Duration,
) -> Result<Vec<u8>, VizError> {
    let args: Vec<String> = match format {
        Format::Dot => return Ok(dot.as_bytes().to_vec()),
        Format::Svg => vec!["-Tsvg".into()],
        // `dot` lets a command-line `-G` override the file, so a DOT that sets its own `size`
        // is left to it.
        Format::Png if sets_size(dot) => vec!["-Tpng".into()],
        Format::Png => vec![
            "-Tpng".into(),
            format!("-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"),
        ],
    };
    let mut child = Command::new(program)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                VizError::DotMissing {
                    program: program.to_string_lossy().into_owned(),
                }
            }
            _ => VizError::Io(e),
        })?;
    // Feed stdin and drain stdout/stderr on their own threads so no pipe can fill and block.
    let mut stdin = child.stdin.take();
    let input = dot.as_bytes().to_vec();
    let writer = thread::spawn(move || {
        if let Some(mut s) = stdin.take() {
            // A write error means dot exited early; its status and stderr tell why.
            let _ = s.write_all(&input);
        }
    });
    let reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    let status = match child.wait_timeout(timeout)? {
        Some(status) => status,
        None => {
            // Killing closes the pipes, so the helper threads finish too.
            let _ = child.kill();
            let _ = child.wait();
            let _ = writer.join();
            let _ = reader.join();
            let _ = err_reader.join();
            return Err(VizError::Timeout(timeout));
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        return Err(VizError::DotFailed {
            status: status.to_string(),
            stderr: String::from_utf8_lossy(&err).trim().to_string(),
        });
    }
    if out.is_empty() {
        return Err(VizError::DotFailed {
            status: status.to_string(),
            stderr: format!("no output; {}", String::from_utf8_lossy(&err).trim()),
        });
    }
    Ok(out)
}

/// Read a pipe of the child to its end on its own thread (so neither pipe can fill and stall
/// `dot`); a read error leaves what was read.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = pipe {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::sets_size;

    #[test]
    fn size_is_told_from_fontsize() {
        assert!(sets_size("digraph { size=\"20,20\" a }"));
        assert!(sets_size("digraph { graph[\"size\" = \"2,2\"] a }"));
        assert!(!sets_size("digraph { node[fontsize=\"11\"] a }"));
        assert!(!sets_size("digraph { a[label=\"size matters\"] }"));
    }

    #[test]
    fn wire_names_parse_and_refusals_name_every_choice() {
        use crate::{Format, View};
        assert_eq!("svg".parse::<Format>(), Ok(Format::Svg));
        assert_eq!(
            "pdf".parse::<Format>(),
            Err("unknown format `pdf`: use dot, svg or png".to_string())
        );
        assert_eq!("gaps".parse::<View>(), Ok(View::Gaps));
        assert_eq!(
            "map".parse::<View>(),
            Err("unknown view `map`: use hierarchy, partnerships or gaps".to_string())
        );
    }
}
