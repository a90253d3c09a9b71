//! Text folding for search: case, accents and ligatures do not matter.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for comparison: lower case, accents removed (`Équipe` →
/// `equipe`), a few letters without a decomposition spelled out (`ß` → `ss`).
#[must_use]
pub fn normalize(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'œ' | 'Œ' => folded.push_str("oe"),
            'ø' | 'Ø' => folded.push('o'),
            'ł' | 'Ł' => folded.push('l'),
            'đ' | 'Đ' => folded.push('d'),
            _ => folded.extend(c.to_lowercase()),
        }
    }
    folded
}

/// The folded words of a text: runs of letters and digits.
pub(crate) fn words(text: &str) -> Vec<String> {
    normalize(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_ligatures_fold() {
        assert_eq!(normalize("Équipe Straße Œuvre"), "equipe strasse oeuvre");
        assert_eq!(
            words("Slack — l'Équipe, 24/7!"),
            ["slack", "l", "equipe", "24", "7"]
        );
    }
}
