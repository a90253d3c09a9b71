//! The catalog's query string (`/api/catalog?q=…&kind=…&page=…`): parsing
//! never panics, and a parsed query searches the shipped catalog without
//! panicking, its page within bounds.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use relais_catalog::{Catalog, CatalogQuery};

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::shipped().expect("the shipped catalog is valid"))
}

fuzz_target!(|data: &[u8]| {
    let pairs = url::form_urlencoded::parse(data);
    if let Ok(query) = CatalogQuery::from_pairs(pairs) {
        let page = catalog().search(&query);
        assert!(page.items.len() <= page.total);
    }
});
