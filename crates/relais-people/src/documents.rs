//! Employee documents: what is kept about an uploaded file, its limits, and
//! which files are accepted.
//!
//! A file is accepted by its name's extension *and* by its first bytes: a
//! `.pdf` must start like a PDF, a `.docx` like the ZIP container it is.
//! A short table of signatures, not a general file-type crate: the list of
//! accepted types is short and fixed, and each needs only the one check
//! that its bytes are what its name says (a crate would detect a hundred
//! types, which we would then map back onto these twenty).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::EmployeeId;

/// The largest file stored: 30 MiB, as the modelled HRIS documents.
pub const MAX_DOCUMENT_BYTES: usize = 30 * 1024 * 1024;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 255;

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// A stored employee document, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    /// Id, unique across companies and never reused.
    pub id: i64,
    /// The employee it belongs to.
    pub employee_id: EmployeeId,
    /// Its category.
    pub category_id: i64,
    /// Title, 1 to 255 characters.
    pub title: String,
    /// Comment, up to 2,000 characters.
    pub comment: Option<String>,
    /// The day the document is about (the upload day unless given).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// The file's name as uploaded, without any folder.
    pub file_name: String,
    /// The media type found from its name and content, e.g. `application/pdf`.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lower-case hex: to check a download or a backup.
    pub sha256: String,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

/// The kinds of file accepted, by extension, with the media type stored
/// and the signature their content must show.
const FILE_TYPES: &[(&str, &str, Signature)] = &[
    ("pdf", "application/pdf", Signature::Pdf),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Signature::Zip,
    ),
    ("doc", "application/msword", Signature::Ole),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Signature::Zip,
    ),
    ("xls", "application/vnd.ms-excel", Signature::Ole),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Signature::Zip,
    ),
    ("ppt", "application/vnd.ms-powerpoint", Signature::Ole),
    (
        "odt",
        "application/vnd.oasis.opendocument.text",
        Signature::Zip,
    ),
    (
        "ods",
        "application/vnd.oasis.opendocument.spreadsheet",
        Signature::Zip,
    ),
    ("txt", "text/plain", Signature::Text),
    ("csv", "text/csv", Signature::Text),
    ("rtf", "application/rtf", Signature::Rtf),
    ("jpg", "image/jpeg", Signature::Jpeg),
    ("jpeg", "image/jpeg", Signature::Jpeg),
    ("png", "image/png", Signature::Png),
    ("gif", "image/gif", Signature::Gif),
    ("tif", "image/tiff", Signature::Tiff),
    ("tiff", "image/tiff", Signature::Tiff),
    ("bmp", "image/bmp", Signature::Bmp),
    ("zip", "application/zip", Signature::Zip),
];

/// What the first bytes of a kind of file look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signature {
    /// `%PDF-` within the first KiB (the format allows bytes before it).
    Pdf,
    /// A ZIP archive: the OOXML and OpenDocument formats are ZIP containers.
    Zip,
    /// The OLE2 compound file of the older Office formats.
    Ole,
    /// `{\rtf`.
    Rtf,
    Jpeg,
    Png,
    Gif,
    Tiff,
    Bmp,
    /// Text: no NUL byte in the first 8 KiB (binary formats have them early).
    Text,
}

impl Signature {
    fn matches(self, bytes: &[u8]) -> bool {
        match self {
            Self::Pdf => bytes
                .get(..bytes.len().min(1024))
                .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-")),
            Self::Zip => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
            Self::Ole => bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
            Self::Rtf => bytes.starts_with(b"{\\rtf"),
            Self::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            Self::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            Self::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            Self::Tiff => bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*"),
            Self::Bmp => bytes.starts_with(b"BM"),
            Self::Text => !bytes.iter().take(8 * 1024).any(|b| *b == 0),
        }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefusal {
    /// No bytes.
    #[error("The file must not be empty.")]
    Empty,
    /// Over [`MAX_DOCUMENT_BYTES`].
    #[error("The file may not be greater than {} kilobytes.", MAX_DOCUMENT_BYTES / 1024)]
    TooLarge,
    /// No name, or one without an accepted extension.
    #[error("The file must be a file of type: {}.", accepted_extensions())]
    TypeNotAccepted,
    /// The content is not what the extension says.
    #[error("The file's content is not a .{0} file.")]
    ContentMismatch(String),
}

/// The accepted extensions, comma-separated, for messages and docs.
#[must_use]
pub fn accepted_extensions() -> String {
    FILE_TYPES
        .iter()
        .map(|(extension, ..)| *extension)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The media type to store a file under, when its name's extension is
/// accepted and its content matches it.
///
/// # Errors
/// [`FileRefusal`] saying what is wrong.
pub fn check_file(file_name: &str, bytes: &[u8]) -> Result<&'static str, FileRefusal> {
    if bytes.is_empty() {
        return Err(FileRefusal::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(FileRefusal::TooLarge);
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .ok_or(FileRefusal::TypeNotAccepted)?;
    let (_, mime_type, signature) = FILE_TYPES
        .iter()
        .find(|(known, ..)| *known == extension)
        .ok_or(FileRefusal::TypeNotAccepted)?;
    if !signature.matches(bytes) {
        return Err(FileRefusal::ContentMismatch(extension));
    }
    Ok(mime_type)
}

/// Whether `c` changes the direction text is shown in (U+200E/F, U+202A–E,
/// U+2066–9): never wanted in a file name, where it disguises the extension.
#[must_use]
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A file name as it is kept and offered back: the last path component
/// only (clients send `C:\Users\…\cv.pdf`), control characters removed,
/// trimmed, at most [`MAX_FILE_NAME_CHARS`] characters with the extension
/// kept when cut. Empty when nothing is left.
#[must_use]
pub fn clean_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    // Control characters, and the bidirectional controls that would make
    // "cv\u{202e}fdp.zip" read as "cvpiz.pdf".
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    let clean = clean.trim();
    if clean.chars().count() <= MAX_FILE_NAME_CHARS {
        return clean.to_owned();
    }
    let extension = clean
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.chars().count() <= 10);
    match extension {
        Some(extension) => {
            let keep = MAX_FILE_NAME_CHARS - extension.chars().count() - 1;
            let stem: String = clean.chars().take(keep).collect();
            format!("{stem}.{extension}")
        }
        None => clean.chars().take(MAX_FILE_NAME_CHARS).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_accepted_by_its_extension_and_content_together() {
        assert_eq!(
            check_file("cv.PDF", b"%PDF-1.7\n..."),
            Ok("application/pdf")
        );
        assert_eq!(
            check_file("contract.docx", b"PK\x03\x04rest"),
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        assert_eq!(
            check_file("photo.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok("image/jpeg")
        );
        assert_eq!(
            check_file("notes.txt", "héllo".as_bytes()),
            Ok("text/plain")
        );
    }

    #[test]
    fn a_renamed_file_is_refused() {
        // An executable named .pdf, a PDF named .png, binary named .txt.
        assert_eq!(
            check_file("cv.pdf", b"MZ\x90\0\x03"),
            Err(FileRefusal::ContentMismatch("pdf".into()))
        );
        assert_eq!(
            check_file("cv.png", b"%PDF-1.4"),
            Err(FileRefusal::ContentMismatch("png".into()))
        );
        assert_eq!(
            check_file("a.txt", b"ab\0cd"),
            Err(FileRefusal::ContentMismatch("txt".into()))
        );
    }

    #[test]
    fn unknown_types_empty_and_oversized_files_are_refused() {
        assert_eq!(
            check_file("run.exe", b"MZ"),
            Err(FileRefusal::TypeNotAccepted)
        );
        assert_eq!(
            check_file("no-extension", b"%PDF-"),
            Err(FileRefusal::TypeNotAccepted)
        );
        assert_eq!(check_file("a.pdf", b""), Err(FileRefusal::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(check_file("a.pdf", &big), Err(FileRefusal::TooLarge));
        big.truncate(MAX_DOCUMENT_BYTES);
        assert!(check_file("a.pdf", &big).is_ok());
        assert!(
            FileRefusal::TypeNotAccepted
                .to_string()
                .starts_with("The file must be a file of type: pdf, docx")
        );
    }

    proptest::proptest! {
        #[test]
        fn a_kept_file_name_is_one_bounded_component_of_printable_text(name in "\\PC*[/\\\\\\x00-\\x1f]?\\PC*") {
            let kept = clean_file_name(&name);
            proptest::prop_assert!(kept.chars().count() <= MAX_FILE_NAME_CHARS);
            proptest::prop_assert!(!kept.contains(['/', '\\']));
            proptest::prop_assert!(!kept.chars().any(char::is_control));
        }

        #[test]
        fn checking_a_file_never_panics(name in "\\PC{0,20}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = check_file(&name, &bytes);
        }
    }

    #[test]
    fn file_names_lose_their_folders_and_control_characters_and_stay_bounded() {
        assert_eq!(clean_file_name(r"C:\Users\ana\cv.pdf"), "cv.pdf");
        assert_eq!(clean_file_name("/tmp/x/../cv\n.pdf"), "cv.pdf");
        assert_eq!(clean_file_name("  "), "");
        let long = format!("{}.pdf", "é".repeat(400));
        let cut = clean_file_name(&long);
        assert_eq!(cut.chars().count(), MAX_FILE_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
        let no_extension = clean_file_name(&"x".repeat(300));
        assert_eq!(no_extension, "x".repeat(MAX_FILE_NAME_CHARS));
    }
}
