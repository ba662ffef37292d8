//! Snapshots (expect-test) of generated text: `dangjian --help` and every subcommand's
//! `--help`, and the default table output of coverage, gaps and a checklist on the Shanghai
//! sample network. `UPDATE_EXPECT=1 cargo test -p dangjian --test cli snapshots` rewrites them;
//! review the diff (Chinese labels, figures against the JSON output) before committing.

use super::{AS_OF, bin, ok, sample, temp_db_with};
use expect_test::expect_file;

/// `dangjian ARGS` at a fixed help width (clap wraps to $COLUMNS), its stdout.
fn help(args: &[&str]) -> String {
    let out = bin()
        .env("COLUMNS", "100")
        .args(args)
        .arg("--help")
        .output()
        .expect("the dangjian binary runs");
    assert!(out.status.success(), "dangjian {args:?} --help failed");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The subcommands a help text lists under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_of_every_command() {
    let top = help(&[]);
    let mut all = format!("$ dangjian --help\n{top}");
    let commands = subcommands(&top);
    assert!(commands.len() >= 15, "top-level commands: {commands:?}");
    for command in &commands {
        let text = help(&[command]);
        all.push_str(&format!("\n$ dangjian {command} --help\n{text}"));
        for sub in subcommands(&text) {
            all.push_str(&format!(
                "\n$ dangjian {command} {sub} --help\n{}",
                help(&[command, &sub])
            ));
        }
    }
    expect_file!["snapshots/help.txt"].assert_eq(&all);
}

/// Party-org secretaries' names (invented in the sample, but personal data by kind) replaced by
/// the surname and full-width asterisks, which keep the table's column widths.
fn mask_secretaries(text: &str) -> String {
    let bundle: dangjian_model::Bundle =
        serde_json::from_str(&std::fs::read_to_string(sample()).expect("reading the sample"))
            .expect("the sample is a bundle");
    let mut masked = text.to_owned();
    for org in bundle.party_orgs.iter() {
        let mut chars = org.secretary.chars();
        let surname = chars.next().expect("a secretary's name");
        let mask: String = std::iter::once(surname)
            .chain(chars.map(|_| '＊'))
            .collect();
        masked = masked.replace(&org.secretary, &mask);
    }
    masked
}

#[test]
fn coverage_gaps_and_checklist_tables_of_the_sample() {
    let (_dir, db) = temp_db_with(&sample());
    expect_file!["snapshots/coverage.txt"].assert_eq(&ok(&db, &["coverage", "--as-of", AS_OF]));
    expect_file!["snapshots/gaps.txt"].assert_eq(&ok(&db, &["gaps", "--as-of", AS_OF]));

    let checklist = ok(
        &db,
        &["checklist", "P-S-JLT", "--subtree", "--as-of", AS_OF],
    );
    assert!(
        checklist.contains("孙勇敏"),
        "the street's secretary heads its rows"
    );
    let masked = mask_secretaries(&checklist);
    assert!(!masked.contains("孙勇敏") && masked.contains("孙＊＊"));
    expect_file!["snapshots/checklist.txt"].assert_eq(&masked);
}
