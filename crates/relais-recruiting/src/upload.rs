//! Files applicants upload: which types are taken, how large, and what
//! each is. The extension decides the type; where a type has a known
//! signature, the first bytes must carry it, so that a renamed executable
//! is not stored as a "CV".

/// Largest file, in bytes (20 MB).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Largest legacy form request, in bytes (64 MB).
pub const MAX_FORM_BYTES: usize = 64 * 1024 * 1024;

/// Which endpoint's list of types applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadRule {
    /// `POST /v1/recruiting/applications/documents`: office documents,
    /// archives, images and videos.
    Api,
    /// The deprecated form: no videos, but `jpeg` and `tiff` spellings.
    Form,
}

/// Extensions the documents endpoint takes.
pub const API_EXTENSIONS: [&str; 26] = [
    "pdf", "pptx", "xlsx", "docx", "doc", "xls", "ppt", "ods", "odt", "7z", "gz", "rar", "zip",
    "bmp", "gif", "jpg", "png", "tif", "csv", "txt", "rtf", "mp4", "3gp", "mov", "avi", "wmv",
];

/// Extensions the legacy form takes.
pub const FORM_EXTENSIONS: [&str; 23] = [
    "pdf", "docx", "doc", "jpg", "png", "txt", "jpeg", "odt", "ods", "xlsx", "rtf", "xls", "pptx",
    "ppt", "gif", "tif", "tiff", "bmp", "csv", "rar", "gz", "zip", "7z",
];

/// What an accepted file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// Lower-case extension, without the dot.
    pub extension: String,
    /// Its media type.
    pub mimetype: &'static str,
    /// Its name, without any directory part.
    pub original_filename: String,
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Over [`MAX_FILE_BYTES`].
    #[error("the file is larger than 20 MB")]
    TooBig,
    /// An extension not on the list, or content that is not what the
    /// extension says.
    #[error("{0}")]
    InvalidType(String),
}

fn mimetype(extension: &str) -> &'static str {
    match extension {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "7z" => "application/x-7z-compressed",
        "gz" => "application/gzip",
        "rar" => "application/vnd.rar",
        "zip" => "application/zip",
        "bmp" => "image/bmp",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "tif" | "tiff" => "image/tiff",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "rtf" => "application/rtf",
        "mp4" => "video/mp4",
        "3gp" => "video/3gpp",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        _ => "application/octet-stream",
    }
}

/// The signatures a file of this extension starts with, where there is one.
fn signatures(extension: &str) -> &'static [&'static [u8]] {
    match extension {
        "pdf" => &[b"%PDF"],
        "png" => &[b"\x89PNG\r\n\x1a\n"],
        "jpg" | "jpeg" => &[b"\xff\xd8\xff"],
        "gif" => &[b"GIF87a", b"GIF89a"],
        "bmp" => &[b"BM"],
        "tif" | "tiff" => &[b"II*\0", b"MM\0*"],
        // Office Open XML and OpenDocument files are zip archives.
        "zip" | "docx" | "xlsx" | "pptx" | "odt" | "ods" => &[b"PK\x03\x04", b"PK\x05\x06"],
        // The old Office formats are compound files.
        "doc" | "xls" | "ppt" => &[b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
        "gz" => &[b"\x1f\x8b"],
        "7z" => &[b"7z\xbc\xaf\x27\x1c"],
        "rar" => &[b"Rar!\x1a\x07"],
        "rtf" => &[b"{\\rtf"],
        _ => &[],
    }
}

/// Checks an uploaded file and says what it is.
///
/// # Errors
/// [`UploadError`] when it is too large, of a type not taken, or not what
/// its extension says.
pub fn check_file(
    rule: UploadRule,
    filename: &str,
    bytes: &[u8],
) -> Result<FileFacts, UploadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(UploadError::TooBig);
    }
    // Browsers on Windows send the whole path; keep the last part.
    let name = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    // Control characters, and bidirectional controls that disguise the
    // extension ("cv\u{202e}fdp.zip").
    let name: String = name
        .chars()
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .take(255)
        .collect();
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let allowed: &[&str] = match rule {
        UploadRule::Api => &API_EXTENSIONS,
        UploadRule::Form => &FORM_EXTENSIONS,
    };
    if name.is_empty() || !allowed.contains(&extension.as_str()) {
        return Err(UploadError::InvalidType(format!(
            "'{name}' is not of a type taken: {}",
            allowed.join(", ")
        )));
    }
    let expected = signatures(&extension);
    if bytes.is_empty() || (!expected.is_empty() && !expected.iter().any(|s| bytes.starts_with(s)))
    {
        return Err(UploadError::InvalidType(format!(
            "'{name}' is not a .{extension} file"
        )));
    }
    Ok(FileFacts {
        mimetype: mimetype(&extension),
        extension,
        original_filename: name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_taken_with_its_facts() {
        let facts = check_file(UploadRule::Api, "C:\\Users\\ada\\CV.PDF", b"%PDF-1.7 ...").unwrap();
        assert_eq!(facts.extension, "pdf");
        assert_eq!(facts.mimetype, "application/pdf");
        assert_eq!(facts.original_filename, "CV.PDF");
    }

    #[test]
    fn renamed_and_unlisted_files_are_refused() {
        assert!(matches!(
            check_file(UploadRule::Api, "cv.pdf", b"MZ\x90\0"),
            Err(UploadError::InvalidType(_))
        ));
        assert!(matches!(
            check_file(UploadRule::Api, "tool.exe", b"MZ"),
            Err(UploadError::InvalidType(_))
        ));
        assert!(matches!(
            check_file(UploadRule::Form, "clip.mp4", b"...."),
            Err(UploadError::InvalidType(_))
        ));
        assert!(check_file(UploadRule::Form, "me.jpeg", b"\xff\xd8\xff\xe0").is_ok());
        assert!(matches!(
            check_file(UploadRule::Api, "me.jpeg", b"\xff\xd8\xff\xe0"),
            Err(UploadError::InvalidType(_))
        ));
        assert_eq!(
            check_file(UploadRule::Api, "big.txt", &vec![b'a'; MAX_FILE_BYTES + 1]),
            Err(UploadError::TooBig)
        );
    }
}
