//! A computed report as a file: CSV with a header row, or JSON lines. One
//! writer for the CLI's `reports export` and the console's downloads.

use std::io::Write;

use relais_reports::{CellValue, Column, Locale, ReportRow};

use crate::reports::ComputedReport;

/// A report file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values with a header row (historical reports:
    /// `employee_id, attribute_id, effective_date, value`).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The text of a cell for CSV: entities by name, durations in hours,
/// absences in days.
#[must_use]
pub fn cell_text(value: &CellValue) -> String {
    match value {
        CellValue::Text(t) => t.clone().unwrap_or_default(),
        CellValue::Entity { name, .. } => name.clone().unwrap_or_default(),
        CellValue::CostCenters(list) => list
            .iter()
            .map(|(_, n, w)| format!("{n} ({w}%)"))
            .collect::<Vec<_>>()
            .join("; "),
        CellValue::Duration(h) => format!("{h}"),
        CellValue::AbsenceOverview { days, .. } => format!("{days}"),
    }
}

/// A cell as JSON.
#[must_use]
pub fn cell_json(value: &CellValue) -> serde_json::Value {
    match value {
        CellValue::Text(t) => serde_json::json!(t),
        CellValue::Entity { id, name } => serde_json::json!({"id": id, "name": name}),
        CellValue::CostCenters(list) => serde_json::json!(
            list.iter()
                .map(|(id, n, w)| serde_json::json!({"id": id, "name": n, "weight": w}))
                .collect::<Vec<_>>()
        ),
        CellValue::Duration(h) => serde_json::json!(h),
        CellValue::AbsenceOverview { days, hours } => {
            serde_json::json!({"days": days, "hours": hours})
        }
    }
}

/// CSV column names: absences by their type (`absence_paid_vacation_days`
/// rather than `absence_1`), every other column by its id. `catalog` is the
/// company's column catalog.
#[must_use]
pub fn csv_header(column: &str, catalog: &[Column]) -> String {
    if !column.starts_with("absence_") {
        return column.to_owned();
    }
    let Some(found) = catalog.iter().find(|c| c.attribute_id == column) else {
        return column.to_owned();
    };
    let name = found.label(Locale::En).trim_start_matches("Absence: ");
    let mut slug = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if ch != '\'' && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    format!("absence_{}_days", slug.trim_matches('_'))
}

/// A CSV error as the I/O error it wraps, so that a closed pipe stays one.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// Writes every row of `computed` to `sink`, calling `on_row` after each
/// row (for a progress bar). `catalog` names the CSV columns ([`csv_header`]).
///
/// # Errors
/// The sink's I/O errors (a closed pipe among them, for the caller to judge).
pub fn write_report(
    computed: &ComputedReport,
    catalog: &[Column],
    format: ExportFormat,
    sink: impl Write,
    on_row: &mut dyn FnMut(),
) -> std::io::Result<()> {
    let mut sink = std::io::BufWriter::new(sink);
    let columns = &computed.definition.columns;
    let historical = computed
        .rows
        .first()
        .is_some_and(|r| matches!(r, ReportRow::History { .. }));
    match format {
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut sink);
            let header: Vec<String> = if historical {
                ["employee_id", "attribute_id", "effective_date", "value"]
                    .map(String::from)
                    .to_vec()
            } else {
                std::iter::once("employee_id".to_owned())
                    .chain(columns.iter().map(|c| csv_header(c, catalog)))
                    .collect()
            };
            writer.write_record(&header).map_err(csv_io)?;
            for row in &computed.rows {
                match row {
                    ReportRow::Attributes { employee_id, cells } => {
                        let record: Vec<String> = std::iter::once(employee_id.to_string())
                            .chain(cells.iter().map(|c| cell_text(&c.value)))
                            .collect();
                        writer.write_record(&record).map_err(csv_io)?;
                    }
                    ReportRow::History { employee_id, cells } => {
                        for (cell, day) in cells {
                            writer
                                .write_record([
                                    employee_id.to_string(),
                                    cell.attribute_id.clone(),
                                    day.to_string(),
                                    cell_text(&cell.value),
                                ])
                                .map_err(csv_io)?;
                        }
                    }
                }
                on_row();
            }
            writer.flush()?;
        }
        ExportFormat::Jsonl => {
            for row in &computed.rows {
                let line = match row {
                    ReportRow::Attributes { employee_id, cells } => {
                        let mut object = serde_json::Map::new();
                        object.insert("employee_id".into(), serde_json::json!(employee_id));
                        for c in cells {
                            object.insert(c.attribute_id.clone(), cell_json(&c.value));
                        }
                        serde_json::Value::Object(object)
                    }
                    ReportRow::History { employee_id, cells } => serde_json::json!({
                        "employee_id": employee_id,
                        "history": cells.iter().map(|(c, d)| serde_json::json!({"attribute_id": c.attribute_id, "effective_date": d.to_string(), "value": cell_json(&c.value)})).collect::<Vec<_>>(),
                    }),
                };
                writeln!(sink, "{line}")?;
                on_row();
            }
        }
    }
    sink.flush()
}
