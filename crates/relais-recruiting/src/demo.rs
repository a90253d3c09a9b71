//! A deterministic demo of recruiting: categories with phases, channels,
//! jobs described in German and English (some in French), and a few
//! hundred candidates with their applications, spread over the past months.

use chrono::{DateTime, Duration, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{
    Application, ApplicationAttribute, ApplicationSource, AttributeKind, Candidate,
    CandidateDetails, CustomPhase, EmploymentType, ExternalPosting, Gender, JobDescription,
    JobDraft, JobPosition, Language, Phase, RecruitingCategory, RecruitingChannel, RecruitingSetup,
    Schedule, Seniority, StageTransition, SystemPhase, YearsOfExperience,
};

/// Everything the demo fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecruitingDemo {
    /// Categories, channels, attributes, tags.
    pub setup: RecruitingSetup,
    /// Job positions (most published).
    pub jobs: Vec<JobPosition>,
    /// Candidates.
    pub candidates: Vec<Candidate>,
    /// Applications with the phases each went through.
    pub applications: Vec<(Application, Vec<StageTransition>)>,
}

const JOBS: [(&str, &str, &str, &str, &str); 8] = [
    (
        "Backend Engineer (m/w/d)",
        "Engineering",
        "Munich",
        "software_and_web_development",
        "it_software",
    ),
    (
        "Frontend Engineer (m/w/d)",
        "Engineering",
        "Berlin",
        "software_and_web_development",
        "it_software",
    ),
    (
        "HR Generalist (m/w/d)",
        "People",
        "Munich",
        "human_resources",
        "hr_personnel",
    ),
    (
        "Account Executive DACH (m/w/d)",
        "Sales",
        "Berlin",
        "sales",
        "sales",
    ),
    (
        "Customer Success Manager (m/w/d)",
        "Customer Success",
        "Madrid",
        "customer_service",
        "customer_service",
    ),
    (
        "Werkstudent Marketing (m/w/d)",
        "Marketing",
        "Munich",
        "marketing",
        "marketing_pr",
    ),
    (
        "Payroll Specialist (m/w/d)",
        "Finance",
        "Amsterdam",
        "accounting",
        "finance_accounting",
    ),
    (
        "Data Analyst (m/w/d)",
        "Engineering",
        "Remote",
        "data_science",
        "it_software",
    ),
];

const FIRST: [&str; 16] = [
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Ivan", "Jana", "Karim",
    "Lea", "Mateo", "Nora", "Oskar", "Pia",
];
const LAST: [&str; 16] = [
    "Becker", "Schulz", "Yilmaz", "Nowak", "García", "Rossi", "de Vries", "Hoffmann", "Kaya",
    "Dubois", "Fischer", "Weber", "Martin", "Jansen", "Costa", "Wagner",
];

fn descriptions(
    name: &str,
    office: &str,
) -> std::collections::BTreeMap<Language, Vec<JobDescription>> {
    let mut map = std::collections::BTreeMap::new();
    map.insert(
        Language::De,
        vec![
            JobDescription {
                name: "Deine Aufgaben".into(),
                value: format!(
                    "<p>Als {name} in {office} gestaltest du unser Produkt mit.</p><ul><li>Verantwortung vom ersten Tag an</li><li>Enge Zusammenarbeit mit dem Team</li></ul>"
                ),
            },
            JobDescription {
                name: "Dein Profil".into(),
                value: "<ul><li>Erfahrung im Fachgebiet</li><li>Sehr gute Deutsch- und Englischkenntnisse</li></ul>".into(),
            },
        ],
    );
    map.insert(
        Language::En,
        vec![
            JobDescription {
                name: "Your tasks".into(),
                value: format!(
                    "<p>As {name} in {office} you shape our product.</p><ul><li>Ownership from day one</li><li>Close work with the team</li></ul>"
                ),
            },
            JobDescription {
                name: "Your profile".into(),
                value: "<ul><li>Experience in the field</li><li>Fluent English; German is a plus</li></ul>".into(),
            },
        ],
    );
    map
}

/// The demo for a company, from `seed`, with about `applications`
/// applications dated up to `now`.
#[must_use]
pub fn demo(seed: u64, now: DateTime<Utc>, applications: usize) -> RecruitingDemo {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0072_6563_7275_6974);
    let setup = RecruitingSetup {
        categories: vec![
            RecruitingCategory {
                id: 1,
                name: "Tech".into(),
                phases: vec![
                    CustomPhase {
                        id: 101,
                        name: "Phone screen".into(),
                    },
                    CustomPhase {
                        id: 102,
                        name: "Technical interview".into(),
                    },
                    CustomPhase {
                        id: 103,
                        name: "Team interview".into(),
                    },
                ],
            },
            RecruitingCategory {
                id: 2,
                name: "Business".into(),
                phases: vec![
                    CustomPhase {
                        id: 201,
                        name: "First interview".into(),
                    },
                    CustomPhase {
                        id: 202,
                        name: "Case study".into(),
                    },
                ],
            },
        ],
        channels: vec![
            RecruitingChannel {
                id: 1,
                name: "Career page".into(),
            },
            RecruitingChannel {
                id: 2,
                name: "LinkedIn".into(),
            },
            RecruitingChannel {
                id: 3,
                name: "StepStone".into(),
            },
            RecruitingChannel {
                id: 4,
                name: "Referral".into(),
            },
        ],
        attributes: vec![
            ApplicationAttribute {
                id: 1,
                label: "Notice period".into(),
                kind: AttributeKind::Options {
                    options: vec![
                        "custom_option_1".into(),
                        "custom_option_2".into(),
                        "custom_option_3".into(),
                    ],
                },
                required: false,
            },
            ApplicationAttribute {
                id: 2,
                label: "LinkedIn profile".into(),
                kind: AttributeKind::Text,
                required: false,
            },
            ApplicationAttribute {
                id: 3,
                label: "Earliest start".into(),
                kind: AttributeKind::Date,
                required: false,
            },
        ],
        tags: vec!["referral".into(), "talent-pool".into(), "relocation".into()],
    };
    let jobs: Vec<JobPosition> = JOBS
        .iter()
        .enumerate()
        .map(
            |(index, &(name, department, office, occupation, occupation_category))| {
                let id = 4711 + index as i64;
                let created_at = now - Duration::days(30 + 20 * index as i64);
                let tech = department == "Engineering";
                let mut descriptions = descriptions(name, office);
                if index % 3 == 0 {
                    descriptions.insert(
                        Language::Fr,
                        vec![JobDescription {
                            name: "Vos missions".into(),
                            value: format!(
                                "<p>En tant que {name} à {office}, vous façonnez notre produit.</p>"
                            ),
                        }],
                    );
                }
                JobPosition {
                    id,
                    draft: JobDraft {
                        name: name.into(),
                        subcompany: Some("Demo Company GmbH".into()),
                        office: office.into(),
                        additional_offices: if index % 2 == 0 {
                            vec!["Remote".into()]
                        } else {
                            vec![]
                        },
                        department: Some(department.into()),
                        category_id: Some(if tech { 1 } else { 2 }),
                        employment_type: if name.starts_with("Werkstudent") {
                            EmploymentType::Intern
                        } else {
                            EmploymentType::Permanent
                        },
                        seniority: if name.starts_with("Werkstudent") {
                            Seniority::Student
                        } else {
                            Seniority::Experienced
                        },
                        schedule: if name.starts_with("Werkstudent") {
                            Schedule::PartTime
                        } else {
                            Schedule::FullTime
                        },
                        years_of_experience: (!name.starts_with("Werkstudent"))
                            .then_some(YearsOfExperience::TwoToFive),
                        keywords: vec![department.to_lowercase(), office.to_lowercase()],
                        occupation: Some(occupation.into()),
                        occupation_category: Some(occupation_category.into()),
                        descriptions,
                        postings: vec![ExternalPosting {
                            external_id: format!("ss-{id}"),
                            channel_id: 3,
                        }],
                        // The last job is a draft: on no feed, taking no applications.
                        published: index + 1 < JOBS.len(),
                    },
                    created_at,
                    updated_at: created_at,
                }
            },
        )
        .collect();
    let published: Vec<&JobPosition> = jobs.iter().filter(|j| j.draft.published).collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut out = Vec::new();
    for id in 1..=applications as i64 {
        let job = published.choose(&mut rng).copied().unwrap_or(&jobs[0]);
        // One candidate in eight applies to a second job.
        let candidate_id = if candidates.len() > 8 && rng.random_bool(0.125) {
            let index = rng.random_range(0..candidates.len());
            let taken = out
                .iter()
                .any(|(a, _): &(Application, Vec<StageTransition>)| {
                    a.candidate_id == candidates[index].id && a.job_id == job.id
                });
            if taken {
                None
            } else {
                Some(candidates[index].id)
            }
        } else {
            None
        };
        let days_ago = rng.random_range(0..=(now - job.created_at).num_days().max(0));
        let applied_at =
            now - Duration::days(days_ago) - Duration::minutes(rng.random_range(0..600));
        let candidate_id = candidate_id.unwrap_or_else(|| {
            let first = *FIRST.choose(&mut rng).unwrap_or(&"Anna");
            let last = *LAST.choose(&mut rng).unwrap_or(&"Becker");
            let number = candidates.len() + 1;
            let email = format!(
                "{}.{}{number}@applicant.example",
                first.to_lowercase(),
                last.to_lowercase().replace([' ', 'í'], "")
            );
            candidates.push(Candidate {
                id: number as i64,
                email,
                first_name: first.into(),
                last_name: last.into(),
                details: CandidateDetails {
                    gender: [
                        Gender::Female,
                        Gender::Male,
                        Gender::Diverse,
                        Gender::Undefined,
                    ]
                    .choose(&mut rng)
                    .copied(),
                    phone: Some(format!("+49 170 {:07}", rng.random_range(0..10_000_000))),
                    location: Some(job.draft.office.clone()),
                    birthday: None,
                    available_from: Some("As soon as possible".into()),
                    salary_expectations: None,
                },
                created_at: applied_at,
                updated_at: applied_at,
            });
            number as i64
        });
        let category = job.draft.category_id.and_then(|c| setup.category(c));
        let mut transitions = vec![StageTransition {
            phase: Phase::System(SystemPhase::Unassigned),
            entered_at: applied_at,
        }];
        let mut at = applied_at;
        if let Some(category) = category {
            let reached = rng.random_range(0..=category.phases.len());
            for phase in category.phases.iter().take(reached) {
                at += Duration::days(rng.random_range(1..=5));
                if at > now {
                    break;
                }
                transitions.push(StageTransition {
                    phase: Phase::Custom(phase.id),
                    entered_at: at,
                });
            }
        }
        if rng.random_bool(0.3) {
            at += Duration::days(rng.random_range(1..=3));
            if at <= now {
                let end = [
                    SystemPhase::Rejected,
                    SystemPhase::Rejected,
                    SystemPhase::Withdrawn,
                    SystemPhase::Offer,
                ]
                .choose(&mut rng)
                .copied()
                .unwrap_or(SystemPhase::Rejected);
                transitions.push(StageTransition {
                    phase: Phase::System(end),
                    entered_at: at,
                });
            }
        }
        let last = transitions.last().map_or(applied_at, |t| t.entered_at);
        let channel_id = rng.random_range(1..=4);
        let application = Application {
            id,
            candidate_id,
            job_id: job.id,
            channel_id: Some(channel_id),
            external_posting_id: (channel_id == 3).then(|| format!("ss-{}", job.id)),
            message: rng
                .random_bool(0.5)
                .then(|| "I would love to join your team.".to_owned()),
            application_date: applied_at.date_naive(),
            phase: transitions
                .last()
                .map_or(Phase::System(SystemPhase::Unassigned), |t| t.phase),
            tags: if channel_id == 4 {
                vec!["referral".into()]
            } else {
                vec![]
            },
            attributes: [(
                "custom_attribute_1".to_owned(),
                format!("custom_option_{}", rng.random_range(1..=3)),
            )]
            .into(),
            files: vec![],
            source: ApplicationSource::Demo,
            created_at: applied_at,
            updated_at: last,
        };
        if let Some(candidate) = candidates.iter_mut().find(|c| c.id == candidate_id) {
            candidate.updated_at = candidate.updated_at.max(last);
        }
        out.push((application, transitions));
    }
    RecruitingDemo {
        setup,
        jobs,
        candidates,
        applications: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_deterministic_and_consistent() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
            .unwrap()
            .to_utc();
        let a = demo(42, now, 300);
        assert_eq!(a, demo(42, now, 300));
        assert_eq!(a.applications.len(), 300);
        assert!(a.jobs.iter().any(|j| !j.draft.published));
        for (application, transitions) in &a.applications {
            assert!(
                a.candidates
                    .iter()
                    .any(|c| c.id == application.candidate_id)
            );
            let job = a.jobs.iter().find(|j| j.id == application.job_id).unwrap();
            assert!(job.draft.published, "no application to a draft");
            assert!(application.created_at <= now && application.updated_at <= now);
            assert_eq!(transitions.last().unwrap().phase, application.phase);
        }
        let mut pairs: Vec<_> = a
            .applications
            .iter()
            .map(|(x, _)| (x.candidate_id, x.job_id))
            .collect();
        pairs.sort_unstable();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!(before, pairs.len(), "one application per candidate and job");
    }
}
