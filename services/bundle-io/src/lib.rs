//! Reading and writing the network bundle as JSON, a folder of CSV files, or an XLSX workbook, reporting every problem in one pass.
