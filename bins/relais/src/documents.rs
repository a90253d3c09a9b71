//! `relais documents …`: employees' documents, stored in the database.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use relais_app::documents::{DocumentUpload, UploadedFile};
use relais_app::{AppError, Caller, ErrorKind};
use relais_people::documents::{Document, MAX_DOCUMENT_BYTES};
use relais_store::Window;

use crate::Ctx;
use crate::output::{count, outln, stdout_error, table};

#[derive(Debug, Subcommand)]
pub(crate) enum DocumentsCommand {
    /// An employee's documents, newest first (metadata only).
    #[command(
        after_help = "Examples:\n  relais documents list --employee 42\n  relais --json documents list --employee 42 --per-page 500"
    )]
    List {
        /// The employee's id.
        #[arg(long)]
        employee: String,
        /// Page, from 1.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        page: u64,
        /// Documents per page, 1 to 500.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=500))]
        per_page: u64,
    },
    /// Write a document's file: to its own name in this directory, to
    /// --output, or to standard output with `--output -`.
    #[command(
        after_help = "Examples:\n  relais documents download 7\n  relais documents download 7 --output contract.pdf --force\n  relais documents download 7 --output - | sha256sum"
    )]
    Download {
        /// The document's id.
        id: String,
        /// Where to write it (`-` for standard output); default: the
        /// document's file name, in the current directory.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace the file if it exists (refused otherwise).
        #[arg(long)]
        force: bool,
    },
    /// Delete a document and its file (recorded in the audit trail).
    #[command(after_help = "Example:\n  relais documents delete 7")]
    Delete {
        /// The document's id.
        id: String,
    },
    /// Store a file as a document of an employee (checked as uploads through
    /// the public API are: at most 30 MiB, an accepted type by name and content).
    #[command(
        after_help = "Example:\n  relais documents upload --employee 42 --category 1 \\\n      --title \"Employment contract\" --date 2026-01-05 contract.pdf"
    )]
    Upload {
        /// The employee's id.
        #[arg(long)]
        employee: String,
        /// The document category's id.
        #[arg(long)]
        category: String,
        /// Title, 1 to 255 characters.
        #[arg(long)]
        title: String,
        /// Comment, up to 2,000 characters.
        #[arg(long)]
        comment: Option<String>,
        /// The day the document is about (YYYY-MM-DD); default: today.
        #[arg(long)]
        date: Option<String>,
        /// The file.
        file: PathBuf,
    },
}

/// A refused upload's message, with each field's problem.
fn with_fields(error: AppError) -> AppError {
    if error.fields().is_empty() {
        return error;
    }
    let problems: Vec<String> = error
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    AppError::new(
        error.kind(),
        format!("{error}\n  {}", problems.join("\n  ")),
    )
}

fn read_file(file: &Path) -> Result<Vec<u8>, AppError> {
    let name = file.display().to_string();
    let cannot =
        |e: std::io::Error| AppError::new(ErrorKind::Invalid, format!("cannot read {name}: {e}"));
    let size = std::fs::metadata(file).map_err(cannot)?.len();
    // Refused before reading it whole.
    if size > MAX_DOCUMENT_BYTES as u64 {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("{name} has {size} bytes; a document may have at most {MAX_DOCUMENT_BYTES}"),
        ));
    }
    std::fs::read(file).map_err(cannot)
}

/// Where a download goes by default: the document's own name, or
/// `document-<id>` when that is not a plain file name.
fn default_path(document: &Document) -> PathBuf {
    let name = document.file_name.as_str();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        PathBuf::from(format!("document-{}", document.id))
    } else {
        PathBuf::from(name)
    }
}

/// Writes `content` to `path`; an existing file is replaced only with
/// `force` (without it, the file is created exclusively: no race between
/// looking and writing).
fn write_file(path: &Path, content: &[u8], force: bool) -> Result<(), AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let shown = path.display();
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            AppError::new(
                ErrorKind::Conflict,
                format!("{shown} exists; replace it with --force, or name another with --output"),
            )
        } else {
            AppError::new(ErrorKind::Internal, format!("cannot write {shown}: {e}"))
        }
    })?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("cannot write {shown}: {e}")))
}

fn print_document(ctx: &Ctx, document: &Document, what: &str) -> Result<(), AppError> {
    if ctx.out.json {
        return ctx.out.print_json(document);
    }
    outln!(
        "{what} document {} \"{}\" of employee {} ({}, {} bytes, sha256 {}).",
        document.id,
        document.title,
        document.employee_id,
        document.file_name,
        document.size,
        document.sha256
    )
}

pub(crate) fn run(ctx: &Ctx, command: DocumentsCommand) -> Result<(), AppError> {
    let company = ctx.company()?;
    match command {
        DocumentsCommand::List {
            employee,
            page,
            per_page,
        } => {
            let window = Window::page(page, per_page)
                .ok_or_else(|| AppError::new(ErrorKind::Invalid, "page: out of range".into()))?;
            let paged =
                ctx.app
                    .employee_documents(Caller::Operator, &company, &employee, window)?;
            if ctx.out.json {
                return ctx.out.print_json(&serde_json::json!({
                    "items": paged.rows,
                    "total": paged.total,
                    "page": page,
                    "per_page": per_page,
                }));
            }
            let mut t = table([
                "Id", "Title", "Date", "Category", "File", "Bytes", "Uploaded",
            ]);
            for d in &paged.rows {
                t.add_row([
                    d.id.to_string(),
                    d.title.clone(),
                    d.date.to_string(),
                    d.category_id.to_string(),
                    d.file_name.clone(),
                    d.size.to_string(),
                    d.created_at.format("%Y-%m-%d %H:%M").to_string(),
                ]);
            }
            outln!("{t}")?;
            outln!("{}", count(paged.total, "document", "documents"))
        }
        DocumentsCommand::Download { id, output, force } => {
            let (document, content) = ctx.app.document_content(Caller::Operator, &company, &id)?;
            if output.as_deref() == Some(Path::new("-")) {
                let mut out = std::io::stdout().lock();
                return out
                    .write_all(&content)
                    .and_then(|()| out.flush())
                    .map_err(|e| stdout_error(&e));
            }
            let path = output.unwrap_or_else(|| default_path(&document));
            write_file(&path, &content, force)?;
            if ctx.out.json {
                return ctx.out.print_json(&serde_json::json!({
                    "document": document,
                    "written_to": path,
                }));
            }
            outln!(
                "Wrote document {} ({} bytes, {}) to {}.",
                document.id,
                document.size,
                document.mime_type,
                path.display()
            )
        }
        DocumentsCommand::Delete { id } => {
            let document = ctx.app.delete_document(Caller::Operator, &company, &id)?;
            print_document(ctx, &document, "Deleted")
        }
        DocumentsCommand::Upload {
            employee,
            category,
            title,
            comment,
            date,
            file,
        } => {
            let content = read_file(&file)?;
            let upload = DocumentUpload {
                employee_id: Some(employee),
                category_id: Some(category),
                title: Some(title),
                comment,
                date,
                file: Some(UploadedFile {
                    name: file
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    content,
                }),
            };
            let document = ctx
                .app
                .upload_document(Caller::Operator, &company, upload)
                .map_err(with_fields)?;
            print_document(ctx, &document, "Stored")
        }
    }
}
