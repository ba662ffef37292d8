//! Rendering with the real Graphviz `dot`: SVG parses and keeps Chinese text, PNG decodes
//! with a sensible size and real CJK glyphs, big graphs time out, a missing `dot` says how to
//! install it.

mod common;

use common::{big_district, dot_of, small_network};
use dangjian_engine::Engine;
use dangjian_visualizations::{DEFAULT_FONT, Format, View, VizError, render, render_with};
use std::ffi::OsStr;
use std::process::Command;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(60);

/// Parse SVG as XML; dot's SVG carries a DOCTYPE, so DTDs are allowed.
fn parse_svg(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, opts).expect("SVG is XML")
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut dec = png::Decoder::new(bytes);
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    buf.truncate(info.buffer_size());
    // Reduce to one grey byte per pixel.
    let channels = info.color_type.samples();
    let grey = buf
        .chunks(channels)
        .map(|p| match channels {
            1 | 2 => p[0],
            _ => ((u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])) / 3) as u8,
        })
        .collect();
    (info.width, info.height, grey)
}

#[test]
fn svg_parses_as_xml_and_keeps_the_chinese_names_as_text() {
    let engine = Engine::new(small_network());
    for view in View::ALL {
        let d = dot_of(&engine, view, "d1").expect("builds");
        let svg = render(&d.dot, Format::Svg, T).expect("dot renders SVG");
        let text = String::from_utf8(svg).expect("SVG is UTF-8");
        let doc = parse_svg(&text);
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        for name in ["新福康里居委会", "景华居委会", "恒丰居委会", "裕华居委会"]
        {
            assert!(texts.contains(&name), "{view:?}: {name} not in SVG text");
        }
        assert!(
            texts.iter().any(|t| t.starts_with("静安区 · ")),
            "{view:?}: title drawn"
        );
        assert!(
            text.contains("font-family=\"WenQuanYi Zen Hei"),
            "{view:?}: font carried into the SVG"
        );
    }
}

#[test]
fn png_decodes_with_a_size_in_the_expected_range() {
    let engine = Engine::new(small_network());
    let d = dot_of(&engine, View::Partnerships, "d1").expect("builds");
    let png = render(&d.dot, Format::Png, T).expect("dot renders PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h, grey) = decode_png(&png);
    assert!((400..=6000).contains(&w), "width {w}");
    assert!((200..=4000).contains(&h), "height {h}");
    let ink = grey.iter().filter(|&&g| g < 128).count();
    assert!(ink > 1000, "something is drawn ({ink} dark pixels)");
}

#[test]
fn the_cjk_font_is_installed_and_draws_real_glyphs() {
    // fontconfig knows the font (fails with an actionable message when it is missing).
    let out = Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .expect("fc-list runs (fontconfig is installed with graphviz)");
    let families = String::from_utf8_lossy(&out.stdout);
    assert!(
        families.contains(DEFAULT_FONT),
        "{DEFAULT_FONT} is not installed: apt-get install fonts-wqy-zenhei (fc-list :lang=zh gave {families:?})"
    );
    // Draw two labels of six characters each: one of the lightest glyph (一), one of a dense
    // one (罐). With real glyphs the dense row has several times the ink; with missing-glyph
    // boxes (no CJK font) both rows are the same hex boxes and the inks are about equal.
    let ink_of = |text: &str| {
        let dot = format!(
            "digraph g {{ node[fontname=\"{DEFAULT_FONT}\" fontsize=48 shape=plaintext margin=0] a[label=\"{text}\"] }}"
        );
        let png = render(&dot, Format::Png, T).expect("renders");
        let (w, _, grey) = decode_png(&png);
        (w, grey.iter().filter(|&&g| g < 128).count())
    };
    let (w_light, light) = ink_of("一一一一一一");
    let (w_dense, dense) = ink_of("罐罐罐罐罐罐");
    assert!(light > 0, "the light glyphs left ink");
    assert!(
        dense > 3 * light,
        "dense glyphs should carry far more ink than 一: {dense} vs {light}"
    );
    // Full-width glyphs: six characters at 48 pt are about six em wide, both rows alike.
    assert_eq!(w_light, w_dense, "CJK glyphs share one advance width");
    assert!(w_light >= 6 * 48, "six full-width glyphs ({w_light} px)");
}

#[test]
fn a_district_aggregated_renders_without_hanging() {
    let engine = Engine::new(big_district(10, 6, 5, 40));
    let d = dot_of(&engine, View::Partnerships, "d").expect("builds");
    assert!(d.aggregated);
    let start = Instant::now();
    let svg = render(&d.dot, Format::Svg, T).expect("renders");
    let text = String::from_utf8(svg).expect("UTF-8");
    parse_svg(&text);
    assert!(text.contains("（已聚合："));
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_slow_render_is_killed_at_the_timeout() {
    // The full 300-committee hierarchy with every cluster takes dot well over 10 ms.
    let engine = Engine::new(big_district(10, 6, 5, 0));
    let d = dot_of(&engine, View::Hierarchy, "d").expect("builds");
    let start = Instant::now();
    let err = render(&d.dot, Format::Png, Duration::from_millis(10)).expect_err("times out");
    assert!(matches!(err, VizError::Timeout(_)), "{err:?}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "returned promptly"
    );
}

#[test]
fn a_missing_dot_program_says_how_to_install_it() {
    let err = render_with(
        OsStr::new("/nonexistent/graphviz/dot"),
        "digraph { a }",
        Format::Svg,
        T,
    )
    .expect_err("missing");
    assert!(matches!(err, VizError::DotMissing { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("apt-get install graphviz fonts-wqy-zenhei")
    );
}

#[test]
fn bad_dot_reports_dot_stderr() {
    let err = render("digraph { a -> }", Format::Svg, T).expect_err("syntax error");
    match err {
        VizError::DotFailed { stderr, .. } => assert!(stderr.contains("syntax error"), "{stderr}"),
        other => panic!("expected DotFailed, got {other:?}"),
    }
}

#[test]
fn dot_format_is_the_text_itself() {
    let out = render("digraph { a }", Format::Dot, T).expect("no dot run needed");
    assert_eq!(out, b"digraph { a }");
    assert_eq!(Format::parse("png"), Some(Format::Png));
    assert_eq!(Format::Svg.content_type(), "image/svg+xml");
}

#[test]
fn a_large_png_is_drawn_at_72_dpi_and_at_most_8000_px_wide() {
    // 300 committees: over the 120 nodes-and-edges mark, so the PNG is drawn at 72 dpi.
    let engine = Engine::new(big_district(10, 6, 5, 0));
    let d = dot_of(&engine, View::Hierarchy, "d").expect("builds");
    assert!(!d.aggregated);
    assert!(
        d.dot.contains("dpi=\"72\""),
        "large diagrams ask for 72 dpi"
    );
    let svg = String::from_utf8(render(&d.dot, Format::Svg, T).expect("SVG")).expect("UTF-8");
    let doc = parse_svg(&svg);
    let pt = |attr: &str| -> f64 {
        let v = doc.root_element().attribute(attr).expect("svg size");
        v.trim_end_matches("pt").parse().expect("points")
    };
    let (w_pt, h_pt) = (pt("width"), pt("height"));
    let png = render(&d.dot, Format::Png, T).expect("PNG");
    let (w, h, grey) = decode_png(&png);
    assert!((800..=8000).contains(&w), "width {w}");
    assert!(h >= 200, "height {h}");
    // 72 dpi: one pixel per point, unless the 8000-px cap scaled it down further.
    let scale = f64::from(w) / w_pt;
    assert!(scale <= 1.01, "{w} px for {w_pt} pt: more than 72 dpi");
    assert!(
        (f64::from(h) / h_pt - scale).abs() < 0.02,
        "aspect ratio kept: {w}×{h} px for {w_pt}×{h_pt} pt"
    );
    let ink = grey.iter().filter(|&&g| g < 128).count();
    assert!(ink > 10_000, "something is drawn ({ink} dark pixels)");
    // A small diagram keeps cairo's 96 dpi.
    let small = dot_of(&Engine::new(small_network()), View::Hierarchy, "d1").expect("builds");
    assert!(!small.dot.contains("dpi="));
}

#[test]
fn a_huge_png_is_scaled_down_to_8000_px() {
    // A row of 300 wide boxes: about 30,000 points wide, far over the cap.
    let mut dot = String::from("digraph g { rankdir=LR; node[shape=box width=100] ");
    for i in 0..4 {
        dot.push_str(&format!("n{i} -> n{} ", i + 1));
    }
    dot.push('}');
    let svg = String::from_utf8(render(&dot, Format::Svg, T).expect("SVG")).expect("UTF-8");
    let w_pt: f64 = parse_svg(&svg)
        .root_element()
        .attribute("width")
        .and_then(|v| v.trim_end_matches("pt").parse().ok())
        .expect("width");
    assert!(w_pt > 30_000.0, "the drawing is {w_pt} pt wide");
    let (w, _, _) = decode_png(&render(&dot, Format::Png, T).expect("PNG"));
    assert!((7900..=8000).contains(&w), "scaled to the cap: {w} px");
    // A DOT that sets its own size wins over the cap.
    let own = dot.replacen("rankdir=LR;", "rankdir=LR; size=\"20,20\";", 1);
    let (w, _, _) = decode_png(&render(&own, Format::Png, T).expect("PNG"));
    assert!(w <= 20 * 96 + 2, "its own size: {w} px");
}
