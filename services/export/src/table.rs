//! Rows of text as CSV bytes (RFC 4180 quoting by the `csv` crate), each cell guarded against
//! spreadsheet formulas.

use crate::ExportError;
use std::borrow::Cow;

/// How the cells of a CSV file are guarded and framed. Both start with a UTF-8 byte-order
/// mark, so that Excel opens the Chinese text correctly: every CSV the API and the CLI write
/// has one (the product's readers skip it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Free text for Excel (checklists): every cell through `guard_formula`, CRLF line ends.
    Excel,
    /// Tables (coverage, gaps, brokers, trend, … in the CLI): cells through
    /// `guard_table_cell` (numbers stay numbers), LF line ends.
    Script,
}

/// CSV bytes of the rows (the first row is the header, if any), after a byte-order mark.
pub fn csv_bytes<R, C>(
    rows: impl IntoIterator<Item = R>,
    guard: Guard,
) -> Result<Vec<u8>, ExportError>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let out = "\u{feff}".as_bytes().to_vec();
    let mut builder = csv::WriterBuilder::new();
    if guard == Guard::Excel {
        builder.terminator(csv::Terminator::CRLF);
    }
    let mut w = builder.from_writer(out);
    for row in rows {
        let cells: Vec<Cow<'_, str>> = row
            .into_iter()
            .map(|c| match guard {
                Guard::Excel => Cow::Owned(dangjian_model::guard_formula(c.as_ref()).into_owned()),
                Guard::Script => {
                    Cow::Owned(dangjian_model::guard_table_cell(c.as_ref()).into_owned())
                }
            })
            .collect();
        w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_guards_formulas() {
        let rows = vec![
            vec!["a", "b,c", "say \"hi\""],
            vec!["=1+1", "-3", "两行\n文字"],
        ];
        let excel =
            String::from_utf8(csv_bytes(rows.clone(), Guard::Excel).expect("csv")).expect("utf-8");
        assert_eq!(
            excel,
            "\u{feff}a,\"b,c\",\"say \"\"hi\"\"\"\r\n'=1+1,'-3,\"两行\n文字\"\r\n"
        );
        let script =
            String::from_utf8(csv_bytes(rows, Guard::Script).expect("csv")).expect("utf-8");
        assert_eq!(
            script,
            "\u{feff}a,\"b,c\",\"say \"\"hi\"\"\"\n'=1+1,-3,\"两行\n文字\"\n"
        );
    }
}
