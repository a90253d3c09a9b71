//! The public XML job feed (`/xml?language=…`), element for element as
//! the modelled HRIS writes it: `<workzag-jobs>` holding one `<position>`
//! per published job, descriptions as HTML in CDATA sections, `createdAt`
//! in RFC 3339 with a colon in the offset.

use std::fmt::Write as _;

use crate::model::{JobPosition, Language, RecruitingSetup};

/// Whether XML 1.0 can carry `c` at all (its `Char` production).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for an XML element.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped.
            c if !xml_char(c) => {}
            c => out.push(c),
        }
    }
}

/// Writes text as CDATA sections: a `]]>` inside is split across two
/// sections, the only way CDATA can hold it.
fn cdata(text: &str, out: &mut String) {
    out.push_str("<![CDATA[");
    let clean: String = text.chars().filter(|&c| xml_char(c)).collect();
    out.push_str(&clean.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

fn element(name: &str, text: &str, indent: &str, out: &mut String) {
    let _ = write!(out, "{indent}<{name}>");
    escape(text, out);
    let _ = writeln!(out, "</{name}>");
}

/// The feed of `jobs` (only the published ones are written) in `language`.
#[must_use]
pub fn job_feed(jobs: &[JobPosition], setup: &RecruitingSetup, language: Language) -> String {
    let mut out = String::with_capacity(1024 + jobs.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workzag-jobs>\n");
    for job in jobs.iter().filter(|j| j.draft.published) {
        let d = &job.draft;
        let i = "    ";
        out.push_str("  <position>\n");
        element("id", &job.id.to_string(), i, &mut out);
        if let Some(subcompany) = &d.subcompany {
            element("subcompany", subcompany, i, &mut out);
        }
        element("office", &d.office, i, &mut out);
        if !d.additional_offices.is_empty() {
            out.push_str("    <additionalOffices>\n");
            for office in &d.additional_offices {
                element("office", office, "      ", &mut out);
            }
            out.push_str("    </additionalOffices>\n");
        }
        if let Some(department) = &d.department {
            element("department", department, i, &mut out);
        }
        if let Some(category) = d.category_id.and_then(|c| setup.category(c)) {
            element("recruitingCategory", &category.name, i, &mut out);
        }
        element("name", &d.name, i, &mut out);
        out.push_str("    <jobDescriptions>\n");
        for section in d.description_in(language) {
            out.push_str("      <jobDescription>\n");
            element("name", &section.name, "        ", &mut out);
            out.push_str("        <value>");
            cdata(&section.value, &mut out);
            out.push_str("</value>\n");
            out.push_str("      </jobDescription>\n");
        }
        out.push_str("    </jobDescriptions>\n");
        element("employmentType", d.employment_type.as_str(), i, &mut out);
        element("seniority", d.seniority.as_str(), i, &mut out);
        element("schedule", d.schedule.as_str(), i, &mut out);
        if let Some(years) = d.years_of_experience {
            element("yearsOfExperience", years.as_str(), i, &mut out);
        }
        if !d.keywords.is_empty() {
            element("keywords", &d.keywords.join(","), i, &mut out);
        }
        if let Some(occupation) = &d.occupation {
            element("occupation", occupation, i, &mut out);
        }
        if let Some(category) = &d.occupation_category {
            element("occupationCategory", category, i, &mut out);
        }
        element(
            "createdAt",
            &job.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            i,
            &mut out,
        );
        out.push_str("  </position>\n");
    }
    out.push_str("</workzag-jobs>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    fn job(id: i64, published: bool) -> JobPosition {
        JobPosition {
            id,
            draft: JobDraft {
                name: "R&D <Engineer>".into(),
                subcompany: None,
                office: "München".into(),
                additional_offices: vec!["Berlin".into()],
                department: Some("Engineering".into()),
                category_id: Some(1),
                employment_type: EmploymentType::Permanent,
                seniority: Seniority::Experienced,
                schedule: Schedule::FullTime,
                years_of_experience: Some(YearsOfExperience::TwoToFive),
                keywords: vec!["rust".into(), "api".into()],
                occupation: None,
                occupation_category: None,
                descriptions: [(
                    Language::En,
                    vec![JobDescription {
                        name: "Tasks".into(),
                        value: "<ul><li>a ]]> b</li></ul>".into(),
                    }],
                )]
                .into(),
                postings: vec![],
                published,
            },
            created_at: chrono::Utc.with_ymd_and_hms(2024, 5, 2, 9, 30, 0).unwrap(),
            updated_at: chrono::Utc.with_ymd_and_hms(2024, 5, 2, 9, 30, 0).unwrap(),
        }
    }

    #[test]
    fn the_feed_has_the_documented_elements_and_only_published_jobs() {
        let setup = RecruitingSetup {
            categories: vec![RecruitingCategory {
                id: 1,
                name: "Tech".into(),
                phases: vec![],
            }],
            ..RecruitingSetup::default()
        };
        let xml = job_feed(&[job(4711, true), job(4712, false)], &setup, Language::En);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workzag-jobs>"));
        assert!(xml.contains("<id>4711</id>"));
        assert!(!xml.contains("4712"));
        assert!(xml.contains("<name>R&amp;D &lt;Engineer&gt;</name>"));
        assert!(xml.contains("<recruitingCategory>Tech</recruitingCategory>"));
        assert!(xml.contains("<additionalOffices>\n      <office>Berlin</office>"));
        assert!(xml.contains("<value><![CDATA[<ul><li>a ]]]]><![CDATA[> b</li></ul>]]></value>"));
        assert!(xml.contains("<createdAt>2024-05-02T09:30:00+00:00</createdAt>"));
        assert!(xml.contains("<keywords>rust,api</keywords>"));
    }

    #[test]
    fn an_empty_board_is_an_empty_root() {
        let xml = job_feed(&[], &RecruitingSetup::default(), Language::De);
        assert!(xml.ends_with("<workzag-jobs>\n</workzag-jobs>\n"));
    }
}
