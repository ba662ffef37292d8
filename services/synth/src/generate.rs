//! The synthetic generator: a whole network at district or Shanghai scale from a seed, with the
//! skewed partnership degrees, thin youth participation and blank spots the paper describes.

use crate::names::{COMMITTEE_SUFFIX, RESPONSIBILITY_TEMPLATES, SKILLS, person_name, place_name};
use dangjian_model::{
    Adjacency, Bundle, Committee, Community, Date, District, Id, ItemStatus, MassLink, MassOrg,
    MassOrgType, Member, Need, Partnership, PartyOrg, PartyOrgLevel, Project, ProjectStatus,
    Resource, Responsibility, ServiceDomain, SocialOrg, Street, StreetKind, Unit, UnitCategory,
    Volunteering,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// How big a network to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// One district: about 10 streets and 300 residents' committees.
    District,
    /// All of Shanghai: 16 districts, about 215 streets and 6,000 committees.
    Shanghai,
}

/// Shanghai's districts with a rough number of streets and towns each (215 in all); the first
/// seven are central (streets only), the rest mix streets and towns.
const DISTRICTS: [(&str, usize); 16] = [
    ("黄浦区", 10),
    ("徐汇区", 13),
    ("长宁区", 10),
    ("静安区", 14),
    ("普陀区", 10),
    ("虹口区", 8),
    ("杨浦区", 12),
    ("闵行区", 14),
    ("宝山区", 12),
    ("嘉定区", 12),
    ("浦东新区", 36),
    ("金山区", 11),
    ("松江区", 17),
    ("青浦区", 11),
    ("奉贤区", 11),
    ("崇明区", 14),
];
const CENTRAL_DISTRICTS: usize = 7;

/// The kinds of unit of each category, with their industry: (category, industry, kind).
#[rustfmt::skip]
const UNIT_KINDS: [(UnitCategory, &str, &str); 32] = [
    (UnitCategory::Enterprise, "制造业", "精密制造"),
    (UnitCategory::Enterprise, "信息技术", "信息科技"),
    (UnitCategory::Enterprise, "金融", "投资管理"),
    (UnitCategory::Enterprise, "商贸零售", "商贸"),
    (UnitCategory::Enterprise, "物流", "物流"),
    (UnitCategory::Enterprise, "建筑", "建设工程"),
    (UnitCategory::Enterprise, "房地产", "置业"),
    (UnitCategory::Enterprise, "餐饮住宿", "餐饮管理"),
    (UnitCategory::Enterprise, "文化创意", "文化传媒"),
    (UnitCategory::Enterprise, "物业服务", "物业管理"),
    (UnitCategory::PublicInstitution, "文化", "文化活动中心"),
    (UnitCategory::PublicInstitution, "科研", "技术研究所"),
    (UnitCategory::PublicInstitution, "社会保障", "社区事务受理服务中心"),
    (UnitCategory::PublicInstitution, "公共服务", "图书馆"),
    (UnitCategory::Government, "公共管理", "派出所"),
    (UnitCategory::Government, "公共管理", "税务所"),
    (UnitCategory::Government, "公共管理", "市场监管所"),
    (UnitCategory::Government, "公共管理", "城管执法中队"),
    (UnitCategory::Government, "公共管理", "司法所"),
    (UnitCategory::School, "教育", "小学"),
    (UnitCategory::School, "教育", "中学"),
    (UnitCategory::School, "教育", "幼儿园"),
    (UnitCategory::School, "教育", "实验学校"),
    (UnitCategory::School, "教育", "职业技术学校"),
    (UnitCategory::Hospital, "医疗卫生", "医院"),
    (UnitCategory::Hospital, "医疗卫生", "社区卫生服务站"),
    (UnitCategory::Hospital, "医疗卫生", "中医医院"),
    (UnitCategory::Hospital, "医疗卫生", "口腔诊所"),
    (UnitCategory::Other, "行业协会", "商会"),
    (UnitCategory::Other, "法律服务", "律师事务所"),
    (UnitCategory::Other, "养老服务", "养老院"),
    (UnitCategory::Other, "慈善", "慈善服务社"),
];

/// Rows of a table per committee, on average.
struct PerCommittee {
    units: f64,
    resources: f64,
    needs: f64,
    projects: f64,
    volunteering: f64,
    responsibilities: f64,
}

/// Per-committee averages that scale every other table (Shanghai totals / ~6,000 committees).
const PER_COMMITTEE: PerCommittee = PerCommittee {
    units: 6.7,
    resources: 18.2,
    needs: 8.3,
    projects: 3.3,
    volunteering: 167.0,
    responsibilities: 3.3,
};
/// Registered members per 1,000 households, on average (≈ 700,000 / 6,000 / 2,400 × 1,000).
const MEMBERS_PER_1000_HOUSEHOLDS: u64 = 45;

/// Share of units that have signed no co-building agreement at all.
const NON_PARTICIPATING_UNITS: f64 = 0.05;
/// Tail exponent and scale of the partnership degree distribution (see [`skewed_degree`]).
const DEGREE_ALPHA: f64 = 2.2;
const DEGREE_SCALE: f64 = 3.3;
/// Highest number of partnerships one unit can have.
pub const MAX_DEGREE: u32 = 600;

/// Draws the number of co-building agreements of one participating unit: a discretised Lomax
/// (Pareto II) law, `P(D ≥ k) = (1 + (k − 1)/c)^−α` for k ≥ 1, with α = 2.2 and c = 3.3:
/// median 2, mean about 3.3, and about one unit in two thousand with 100 or more (region-wide
/// alliances of hundreds of units per district, tens per street; NOTES.md).
pub fn skewed_degree(rng: &mut impl Rng) -> u32 {
    let u: f64 = rng.random();
    let x = DEGREE_SCALE * ((1.0 - u).powf(-1.0 / DEGREE_ALPHA) - 1.0);
    let d = x.ceil().max(1.0);
    if d >= f64::from(MAX_DEGREE) {
        MAX_DEGREE
    } else {
        d as u32
    }
}

/// Generates a whole network; the same `(scale, seed)` always gives the same bundle, and every
/// bundle is valid (unique ids, references resolve, no party-org cycles, dates in order).
pub fn generate(scale: Scale, seed: u64) -> Bundle {
    let mut g = Gen::new(seed);
    match scale {
        Scale::District => {
            let idx = 12; // 松江区
            g.district(idx, 10);
        }
        Scale::Shanghai => {
            for (idx, (_, streets)) in DISTRICTS.iter().enumerate() {
                g.district(idx, *streets);
            }
        }
    }
    g.finish()
}

/// Dates of the generated world.
struct Calendar {
    /// 2019-01-01: first partnerships.
    early: Date,
    /// 2024-07-01: first volunteering rows and responsibility due dates.
    start: Date,
    /// 2026-06-30: the `as_of` the data is shaped for.
    as_of: Date,
}

/// Indexes into the bundle's tables for one street.
struct StreetInfo {
    district: usize,
    street: usize,
    communities: std::ops::Range<usize>,
    committees: std::ops::Range<usize>,
    units: std::ops::Range<usize>,
    /// Some committees of weak streets take no co-building targets (to leave `no_partners`).
    weak: bool,
}

struct Gen {
    rng: ChaCha8Rng,
    b: Bundle,
    cal: Calendar,
    streets: Vec<StreetInfo>,
    /// Per committee: may be the target of a partnership (directly or through its parents).
    open: Vec<bool>,
    /// Per committee: its street index in `streets`.
    committee_street: Vec<usize>,
    /// Per community: its street index in `streets`.
    community_street: Vec<usize>,
    /// Per community: its committees.
    community_committees: Vec<std::ops::Range<usize>>,
    /// Per district: the street indexes.
    district_streets: Vec<Vec<usize>>,
    /// Per district: its mass orgs.
    district_mass: Vec<std::ops::Range<usize>>,
    /// Per street: its social orgs.
    street_social: Vec<std::ops::Range<usize>>,
    /// Per member: the committee registered at (`usize::MAX` when not registered).
    member_home: Vec<usize>,
    /// Per committee: its needs.
    committee_needs: Vec<std::ops::Range<usize>>,
    /// Adjacency pairs already written (smaller index first).
    adjacency: HashSet<(usize, usize)>,
}

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn days(d: Date, n: i64) -> Date {
    if n >= 0 {
        d + chrono::Days::new(n as u64)
    } else {
        d - chrono::Days::new(n.unsigned_abs())
    }
}

/// Rounds a non-negative expected count stochastically, so small scales keep fractional rates.
fn count(rng: &mut impl Rng, mean: f64) -> usize {
    let base = mean.floor();
    let extra = if rng.random::<f64>() < mean - base {
        1.0
    } else {
        0.0
    };
    (base + extra) as usize
}

fn unit_domains(category: UnitCategory) -> &'static [ServiceDomain] {
    use ServiceDomain::*;
    match category {
        UnitCategory::Enterprise => &[
            Employment,
            PovertyRelief,
            CultureSports,
            EducationTraining,
            PublicSafety,
            Greening,
        ],
        UnitCategory::PublicInstitution => {
            &[CultureSports, EducationTraining, ElderlyCare, LegalAid]
        }
        UnitCategory::Government => &[PublicSafety, LegalAid, Employment, PovertyRelief],
        UnitCategory::School => &[EducationTraining, Childcare, CultureSports],
        UnitCategory::Hospital => &[Healthcare, ElderlyCare, Psychological, DisabilitySupport],
        UnitCategory::Other => &[
            ElderlyCare,
            PovertyRelief,
            LegalAid,
            Psychological,
            Greening,
        ],
    }
}

/// Need domains, weighted: elderly care dominates (an ageing city), then healthcare, childcare.
const NEED_DOMAINS: [(ServiceDomain, u32); 12] = [
    (ServiceDomain::ElderlyCare, 24),
    (ServiceDomain::Healthcare, 14),
    (ServiceDomain::Childcare, 10),
    (ServiceDomain::Employment, 8),
    (ServiceDomain::PovertyRelief, 7),
    (ServiceDomain::CultureSports, 8),
    (ServiceDomain::EducationTraining, 7),
    (ServiceDomain::PublicSafety, 6),
    (ServiceDomain::DisabilitySupport, 5),
    (ServiceDomain::Psychological, 5),
    (ServiceDomain::LegalAid, 4),
    (ServiceDomain::Greening, 2),
];

fn weighted_domain(rng: &mut impl Rng) -> ServiceDomain {
    let total: u32 = NEED_DOMAINS.iter().map(|d| d.1).sum();
    let mut pick = rng.random_range(0..total);
    for (d, w) in NEED_DOMAINS {
        if pick < w {
            return d;
        }
        pick -= w;
    }
    ServiceDomain::ElderlyCare
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            b: Bundle::default(),
            cal: Calendar {
                early: ymd(2019, 1, 1),
                start: ymd(2024, 7, 1),
                as_of: ymd(2026, 6, 30),
            },
            streets: Vec::new(),
            open: Vec::new(),
            committee_street: Vec::new(),
            community_street: Vec::new(),
            community_committees: Vec::new(),
            district_streets: Vec::new(),
            district_mass: Vec::new(),
            street_social: Vec::new(),
            member_home: Vec::new(),
            committee_needs: Vec::new(),
            adjacency: HashSet::new(),
        }
    }

    /// One district with its streets, communities, committees, party orgs and units.
    fn district(&mut self, idx: usize, street_count: usize) {
        let d = self.b.districts.len();
        let district_id = Id::from(format!("D{:02}", idx + 1));
        self.b.districts.push(District {
            id: district_id.clone(),
            name: DISTRICTS[idx].0.into(),
        });
        self.district_streets.push(Vec::new());
        let mut used_names: HashSet<String> = HashSet::new();
        for _ in 0..street_count {
            let kind = if idx < CENTRAL_DISTRICTS || self.rng.random_bool(0.4) {
                StreetKind::Street
            } else {
                StreetKind::Town
            };
            let mut name = place_name(&mut self.rng);
            while !used_names.insert(name.clone()) {
                name = place_name(&mut self.rng);
            }
            self.street(d, &district_id, kind, &name);
        }
        // Neighbouring streets border each other: the first committee of one street touches the
        // last committee of the next.
        let list = self.district_streets[d].clone();
        for w in list.windows(2) {
            let a = self.streets[w[0]].committees.end - 1;
            let c = self.streets[w[1]].committees.start;
            self.adjacent(a, c);
        }
    }

    fn adjacent(&mut self, a: usize, c: usize) {
        if a == c {
            return;
        }
        let key = (a.min(c), a.max(c));
        if self.adjacency.insert(key) {
            self.b.adjacency.push(Adjacency {
                a: self.b.committees[key.0].id.clone(),
                b: self.b.committees[key.1].id.clone(),
            });
        }
    }

    fn street(&mut self, d: usize, district_id: &str, kind: StreetKind, place: &str) {
        let s = self.streets.len();
        let street_id = Id::from(format!("S{:03}", s + 1));
        let street_name = match kind {
            StreetKind::Street => format!("{place}街道"),
            StreetKind::Town => format!("{place}镇"),
        };
        self.b.streets.push(Street {
            id: street_id.clone(),
            name: street_name.clone(),
            district: district_id.into(),
            kind,
        });
        self.district_streets[d].push(s);
        // Every district has at least one weak street (its third), where some committees are
        // left without partners.
        let weak = self.rng.random_bool(0.12) || self.district_streets[d].len() == 3;

        let street_org = Id::from(format!("P-{street_id}"));
        let (org_name, level) = match kind {
            StreetKind::Street => (
                format!("中共{street_name}工作委员会"),
                PartyOrgLevel::WorkingCommittee,
            ),
            StreetKind::Town => (format!("中共{street_name}委员会"), PartyOrgLevel::Committee),
        };
        self.b.party_orgs.push(PartyOrg {
            id: street_org.clone(),
            name: org_name,
            level,
            parent: None,
            leads: street_id.clone(),
            secretary: person_name(&mut self.rng),
        });

        // 25–31 committees, grouped into communities of 5–8 as evenly as the count allows.
        let total = self.rng.random_range(25..=31usize);
        let community_count = self.rng.random_range(total.div_ceil(8)..=total / 5);
        let first_community = self.b.communities.len();
        let first_committee = self.b.committees.len();
        let sizes: Vec<usize> = (0..community_count)
            .map(|i| total / community_count + usize::from(i < total % community_count))
            .collect();
        let mut committee_names: HashSet<String> = HashSet::new();
        for size in sizes {
            let c = self.b.communities.len();
            let community_id = Id::from(format!("C{:05}", c + 1));
            let community_name = format!("{}社区", place_name(&mut self.rng));
            self.b.communities.push(Community {
                id: community_id.clone(),
                name: community_name.clone(),
                street: street_id.clone(),
            });
            self.community_street.push(s);
            let community_org = Id::from(format!("P-{community_id}"));
            self.b.party_orgs.push(PartyOrg {
                id: community_org.clone(),
                name: format!("中共{community_name}委员会"),
                level: PartyOrgLevel::Committee,
                parent: Some(street_org.clone()),
                leads: community_id.clone(),
                secretary: person_name(&mut self.rng),
            });
            // In weak streets some communities leave half their committees without partners.
            let closed_community = weak && (c == first_community || self.rng.random_bool(0.4));
            let first = self.b.committees.len();
            for _ in 0..size {
                let k = self.b.committees.len();
                let committee_id = Id::from(format!("K{:05}", k + 1));
                let mut area;
                loop {
                    area = format!(
                        "{}{}",
                        place_name(&mut self.rng),
                        COMMITTEE_SUFFIX
                            .choose(&mut self.rng)
                            .copied()
                            .unwrap_or("新村")
                    );
                    if committee_names.insert(area.clone()) {
                        break;
                    }
                }
                let households = if self.rng.random_bool(0.004) {
                    0
                } else {
                    self.rng.random_range(800..=4000u64)
                };
                self.b.committees.push(Committee {
                    id: committee_id.clone(),
                    name: format!("{area}居委会"),
                    community: community_id.clone(),
                    households,
                });
                self.open
                    .push(!(closed_community && self.rng.random_bool(0.5)));
                self.committee_street.push(s);
                if !self.rng.random_bool(0.015) {
                    let (org_name, level) = if households >= 2500 {
                        (
                            format!("中共{area}居民区总支部委员会"),
                            PartyOrgLevel::GeneralBranch,
                        )
                    } else {
                        (format!("中共{area}居民区支部委员会"), PartyOrgLevel::Branch)
                    };
                    self.b.party_orgs.push(PartyOrg {
                        id: format!("P-{committee_id}").into(),
                        name: org_name,
                        level,
                        parent: Some(community_org.clone()),
                        leads: committee_id,
                        secretary: person_name(&mut self.rng),
                    });
                }
            }
            self.community_committees
                .push(first..self.b.committees.len());
            // Committees of a community in a ring.
            for i in 0..size {
                self.adjacent(first + i, first + (i + 1) % size);
            }
        }
        let committees = first_committee..self.b.committees.len();
        let communities = first_community..self.b.communities.len();
        // A few borders across communities of the street.
        for _ in 0..communities.len() {
            let a = self.rng.random_range(committees.clone());
            let c = self.rng.random_range(committees.clone());
            if self.b.committees[a].community != self.b.committees[c].community {
                self.adjacent(a, c);
            }
        }

        let first_unit = self.b.units.len();
        let unit_count = count(&mut self.rng, PER_COMMITTEE.units * committees.len() as f64);
        for _ in 0..unit_count {
            self.unit(&street_id, place, &street_org);
        }
        self.streets.push(StreetInfo {
            district: d,
            street: s,
            communities,
            committees,
            units: first_unit..self.b.units.len(),
            weak,
        });
    }

    fn unit(&mut self, street_id: &str, place: &str, street_org: &str) {
        let u = self.b.units.len();
        let id = Id::from(format!("U{:06}", u + 1));
        let roll = self.rng.random_range(0..100);
        let category = match roll {
            0..55 => UnitCategory::Enterprise,
            55..67 => UnitCategory::PublicInstitution,
            67..73 => UnitCategory::Government,
            73..85 => UnitCategory::School,
            85..90 => UnitCategory::Hospital,
            _ => UnitCategory::Other,
        };
        let rng = &mut self.rng;
        let word = place_name(rng);
        let kinds: Vec<_> = UNIT_KINDS.iter().filter(|(c, ..)| *c == category).collect();
        let (_, industry, kind) = **kinds.choose(rng).expect("every category has kinds");
        let name = match category {
            UnitCategory::Enterprise => format!("上海{word}{kind}有限公司"),
            UnitCategory::PublicInstitution | UnitCategory::Hospital => {
                format!("{place}{word}{kind}")
            }
            UnitCategory::Government => format!("{place}{kind}"),
            UnitCategory::School | UnitCategory::Other => format!("{word}{kind}"),
        };
        // About one unit in ten has its own party organisation, most under the street's.
        if self.rng.random_bool(0.1) {
            let level = if self.rng.random_bool(0.2) {
                PartyOrgLevel::Committee
            } else {
                PartyOrgLevel::Branch
            };
            let suffix = if level == PartyOrgLevel::Committee {
                "委员会"
            } else {
                "支部委员会"
            };
            let parent = self.rng.random_bool(0.8).then(|| Id::from(street_org));
            self.b.party_orgs.push(PartyOrg {
                id: format!("P-{id}").into(),
                name: format!("中共{name}{suffix}"),
                level,
                parent,
                leads: id.clone(),
                secretary: person_name(&mut self.rng),
            });
        }
        self.b.units.push(Unit {
            id,
            name,
            category,
            industry: industry.into(),
            street: street_id.into(),
        });
    }

    fn finish(mut self) -> Bundle {
        self.mass_orgs();
        self.social_orgs();
        self.members();
        self.partnerships();
        self.resources_and_needs();
        self.volunteering();
        self.responsibilities();
        self.b
    }

    /// Per district: union, youth league, women's federation (and every other district a
    /// disabled persons' federation); links leave some committees unreached, the youth league most.
    fn mass_orgs(&mut self) {
        for d in 0..self.b.districts.len() {
            let first_mass = self.b.mass_orgs.len();
            let district_name = self.b.districts[d].name.clone();
            let short = district_name.trim_end_matches('区').trim_end_matches("新");
            let tag = format!("G{:02}", d + 1);
            let mut orgs = vec![
                (
                    format!("{tag}-UNION"),
                    format!("{district_name}总工会"),
                    MassOrgType::Union,
                ),
                (
                    format!("{tag}-YOUTH"),
                    format!("共青团{short}区委员会"),
                    MassOrgType::YouthLeague,
                ),
                (
                    format!("{tag}-WOMEN"),
                    format!("{district_name}妇女联合会"),
                    MassOrgType::WomenFederation,
                ),
            ];
            if d % 2 == 0 {
                orgs.push((
                    format!("{tag}-DISAB"),
                    format!("{district_name}残疾人联合会"),
                    MassOrgType::Other,
                ));
            }
            for (id, name, kind) in orgs {
                let id = Id::from(id);
                self.b.mass_orgs.push(MassOrg {
                    id: id.clone(),
                    name,
                    kind,
                });
                // Share of streets linked whole, share of the other streets' communities linked.
                let (street_share, community_share, domains): (f64, f64, &[ServiceDomain]) =
                    match kind {
                        MassOrgType::Union => (
                            0.6,
                            0.6,
                            &[ServiceDomain::Employment, ServiceDomain::LegalAid],
                        ),
                        MassOrgType::YouthLeague => (
                            0.1,
                            0.35,
                            &[
                                ServiceDomain::EducationTraining,
                                ServiceDomain::CultureSports,
                            ],
                        ),
                        MassOrgType::WomenFederation => (
                            0.4,
                            0.6,
                            &[ServiceDomain::Childcare, ServiceDomain::PovertyRelief],
                        ),
                        MassOrgType::Other => (0.3, 0.2, &[ServiceDomain::DisabilitySupport]),
                    };
                for &s in &self.district_streets[d] {
                    let info = &self.streets[s];
                    let domain = *domains
                        .choose(&mut self.rng)
                        .unwrap_or(&ServiceDomain::Employment);
                    if self.rng.random_bool(street_share) {
                        self.b.mass_links.push(MassLink {
                            mass_org: id.clone(),
                            target: self.b.streets[info.street].id.clone(),
                            domain,
                        });
                        continue;
                    }
                    for c in info.communities.clone() {
                        if self.rng.random_bool(community_share) {
                            self.b.mass_links.push(MassLink {
                                mass_org: id.clone(),
                                target: self.b.communities[c].id.clone(),
                                domain,
                            });
                        } else if self.rng.random_bool(0.1) {
                            // An occasional committee-level link inside an unlinked community.
                            let k = self.rng.random_range(self.community_committees[c].clone());
                            self.b.mass_links.push(MassLink {
                                mass_org: id.clone(),
                                target: self.b.committees[k].id.clone(),
                                domain,
                            });
                        }
                    }
                }
            }
            self.district_mass.push(first_mass..self.b.mass_orgs.len());
        }
    }

    fn social_orgs(&mut self) {
        for s in 0..self.streets.len() {
            let first = self.b.social_orgs.len();
            let street_id = self.b.streets[self.streets[s].street].id.clone();
            for _ in 0..self.rng.random_range(3..=8) {
                let id = Id::from(format!("O{:05}", self.b.social_orgs.len() + 1));
                let mut domains: Vec<ServiceDomain> = Vec::new();
                for _ in 0..self.rng.random_range(1..=3) {
                    let d = weighted_domain(&mut self.rng);
                    if !domains.contains(&d) {
                        domains.push(d);
                    }
                }
                domains.sort();
                let kind = *["服务社", "服务中心", "志愿者协会", "工作室", "发展中心"]
                    .choose(&mut self.rng)
                    .unwrap_or(&"服务社");
                let label = domains.first().map_or("社区", |d| d.label_zh());
                let name = format!("{}{label}{kind}", place_name(&mut self.rng));
                self.b.social_orgs.push(SocialOrg {
                    id,
                    name,
                    street: street_id.clone(),
                    domains,
                });
            }
            self.street_social.push(first..self.b.social_orgs.len());
        }
    }

    /// Registered members in proportion to households (a few committees with none), plus
    /// some who have not registered anywhere.
    fn members(&mut self) {
        let mut next = 1usize;
        for s in 0..self.streets.len() {
            let units = self.streets[s].units.clone();
            for k in self.streets[s].committees.clone() {
                let rate = if self.rng.random_bool(0.01) {
                    0
                } else {
                    self.rng
                        .random_range(10..=MEMBERS_PER_1000_HOUSEHOLDS * 2 - 10)
                };
                let registered = self.b.committees[k].households * rate / 1000;
                let unregistered = count(&mut self.rng, registered as f64 * 0.08);
                for i in 0..registered as usize + unregistered {
                    let home = if i < registered as usize {
                        k
                    } else {
                        usize::MAX
                    };
                    self.member(next, home, &units);
                    next += 1;
                }
            }
        }
    }

    fn member(&mut self, n: usize, home: usize, street_units: &std::ops::Range<usize>) {
        let rng = &mut self.rng;
        // Older members dominate (§3.1): about a fifth are under 35 in 2026.
        let birth_year = if rng.random_bool(0.78) {
            rng.random_range(1960..=1991)
        } else {
            rng.random_range(1992..=2002)
        };
        let roll = rng.random_range(0..10);
        let employer = if roll < 8 && !street_units.is_empty() {
            Some(rng.random_range(street_units.clone()))
        } else if roll < 9 && !self.b.units.is_empty() {
            Some(rng.random_range(0..self.b.units.len()))
        } else {
            None
        };
        let mut skills = Vec::new();
        for _ in 0..rng.random_range(0..=2) {
            if let Some((s, _)) = SKILLS.choose(rng) {
                let s = (*s).to_owned();
                if !skills.contains(&s) {
                    skills.push(s);
                }
            }
        }
        let name = person_name(rng);
        self.b.members.push(Member {
            id: format!("M{n:07}").into(),
            name,
            birth_year,
            employer: employer.map(|u| self.b.units[u].id.clone()),
            registered_at: (home != usize::MAX).then(|| self.b.committees[home].id.clone()),
            skills,
        });
        self.member_home.push(home);
    }

    /// Co-building agreements with a skewed degree per unit ([`skewed_degree`]).
    fn partnerships(&mut self) {
        // Targets that keep weak streets' closed committees out of reach.
        let mut open_committees: Vec<Vec<usize>> = Vec::with_capacity(self.streets.len());
        let mut open_communities: Vec<Vec<usize>> = Vec::with_capacity(self.streets.len());
        for info in &self.streets {
            open_committees.push(info.committees.clone().filter(|&k| self.open[k]).collect());
            open_communities.push(
                info.communities
                    .clone()
                    .filter(|&c| self.community_committees[c].clone().all(|k| self.open[k]))
                    .collect(),
            );
        }
        let strong: Vec<Vec<usize>> = self
            .district_streets
            .iter()
            .map(|list| {
                list.iter()
                    .copied()
                    .filter(|&s| !self.streets[s].weak)
                    .collect()
            })
            .collect();
        let span = (self.cal.as_of - self.cal.early).num_days() + 60;
        let mut n = 0usize;
        for s in 0..self.streets.len() {
            let d = self.streets[s].district;
            for u in self.streets[s].units.clone() {
                if self.rng.random_bool(NON_PARTICIPATING_UNITS) {
                    continue;
                }
                let degree = skewed_degree(&mut self.rng);
                for _ in 0..degree {
                    let mut ts = if degree <= 10 && self.rng.random_bool(0.75) {
                        s
                    } else {
                        *self.district_streets[d].choose(&mut self.rng).unwrap_or(&s)
                    };
                    // Weak streets attract few agreements: most go to a strong street instead.
                    let redirect = self.streets[ts].weak && self.rng.random_bool(0.93);
                    if let (true, Some(&other)) = (redirect, strong[d].choose(&mut self.rng)) {
                        ts = other;
                    }
                    let roll = self.rng.random_range(0..100);
                    let target = if roll < 8 && !self.streets[ts].weak {
                        self.b.streets[self.streets[ts].street].id.clone()
                    } else if let (true, Some(&c)) =
                        (roll < 30, open_communities[ts].choose(&mut self.rng))
                    {
                        self.b.communities[c].id.clone()
                    } else if let Some(&k) = open_committees[ts].choose(&mut self.rng) {
                        self.b.committees[k].id.clone()
                    } else {
                        continue;
                    };
                    let signed = days(self.cal.early, self.rng.random_range(0..span));
                    let expires = if self.rng.random_bool(0.3) {
                        None
                    } else {
                        Some(days(signed, 365 * self.rng.random_range(1..=3) - 1))
                    };
                    n += 1;
                    self.b.partnerships.push(Partnership {
                        id: format!("CB{n:07}").into(),
                        unit: self.b.units[u].id.clone(),
                        target,
                        signed,
                        expires,
                    });
                }
            }
        }
    }

    /// Needs per committee, resources offered by units, mass and social orgs, streets and
    /// communities (some deployed to named committees), and needs turned into projects.
    fn resources_and_needs(&mut self) {
        for k in 0..self.b.committees.len() {
            let first = self.b.needs.len();
            let mean = PER_COMMITTEE.needs;
            let n = self.rng.random_range(0..=(2.0 * mean) as usize);
            for _ in 0..n {
                let u: f64 = self.rng.random();
                let demand = 10 + (u * u * 290.0) as u64;
                let domain = weighted_domain(&mut self.rng);
                let id = Id::from(format!("N{:07}", self.b.needs.len() + 1));
                self.b.needs.push(Need {
                    id,
                    committee: self.b.committees[k].id.clone(),
                    domain,
                    demand,
                });
            }
            self.committee_needs.push(first..self.b.needs.len());
        }

        let total = count(
            &mut self.rng,
            PER_COMMITTEE.resources * self.b.committees.len() as f64,
        );
        let mut street_resources: Vec<Vec<usize>> = vec![Vec::new(); self.streets.len()];
        // Each street lacks one service domain among the resources offered from it, so some
        // needs have nothing that can reach them (the paper's resources that do not sink).
        let missing: Vec<ServiceDomain> = (0..self.streets.len())
            .map(|_| weighted_domain(&mut self.rng))
            .collect();
        for _ in 0..total {
            let s = self.rng.random_range(0..self.streets.len());
            let info = &self.streets[s];
            let roll = self.rng.random_range(0..100);
            let (provider, domain) = if roll < 55 && !info.units.is_empty() {
                let u = self.rng.random_range(info.units.clone());
                let unit = &self.b.units[u];
                let d = *unit_domains(unit.category)
                    .choose(&mut self.rng)
                    .unwrap_or(&ServiceDomain::Employment);
                (unit.id.clone(), d)
            } else if roll < 65 && !self.district_mass[info.district].is_empty() {
                let m = self
                    .rng
                    .random_range(self.district_mass[info.district].clone());
                let org = &self.b.mass_orgs[m];
                let options: &[ServiceDomain] = match org.kind {
                    MassOrgType::Union => &[
                        ServiceDomain::Employment,
                        ServiceDomain::LegalAid,
                        ServiceDomain::EducationTraining,
                    ],
                    MassOrgType::YouthLeague => &[
                        ServiceDomain::EducationTraining,
                        ServiceDomain::CultureSports,
                    ],
                    MassOrgType::WomenFederation => &[
                        ServiceDomain::Childcare,
                        ServiceDomain::PovertyRelief,
                        ServiceDomain::Psychological,
                    ],
                    MassOrgType::Other => &[ServiceDomain::DisabilitySupport],
                };
                let d = *options
                    .choose(&mut self.rng)
                    .unwrap_or(&ServiceDomain::Employment);
                (org.id.clone(), d)
            } else if roll < 85 && !self.street_social[s].is_empty() {
                let o = self.rng.random_range(self.street_social[s].clone());
                let org = &self.b.social_orgs[o];
                let d = *org
                    .domains
                    .choose(&mut self.rng)
                    .unwrap_or(&ServiceDomain::ElderlyCare);
                (org.id.clone(), d)
            } else if roll < 93 {
                (
                    self.b.streets[info.street].id.clone(),
                    weighted_domain(&mut self.rng),
                )
            } else {
                let c = self.rng.random_range(info.communities.clone());
                (
                    self.b.communities[c].id.clone(),
                    weighted_domain(&mut self.rng),
                )
            };
            if domain == missing[s] {
                continue;
            }
            let u: f64 = self.rng.random();
            let capacity = 10 + (u * u * 490.0) as u64;
            let deployed_to = self.rng.random_bool(0.35).then(|| {
                let mut list: Vec<Id> = Vec::new();
                for _ in 0..self.rng.random_range(1..=4) {
                    let k = self.rng.random_range(info.committees.clone());
                    let id = &self.b.committees[k].id;
                    if !list.contains(id) {
                        list.push(id.clone());
                    }
                }
                list
            });
            let provider_label = domain.label_zh();
            let kind = *["服务", "志愿服务", "公益课堂", "帮扶计划", "活动"]
                .choose(&mut self.rng)
                .unwrap_or(&"服务");
            let id = Id::from(format!("R{:07}", self.b.resources.len() + 1));
            self.b.resources.push(Resource {
                id,
                name: format!("{provider_label}{kind}"),
                provider,
                domain,
                capacity,
                deployed_to,
            });
            street_resources[s].push(self.b.resources.len() - 1);
        }

        let projects = count(
            &mut self.rng,
            PER_COMMITTEE.projects * self.b.committees.len() as f64,
        );
        for _ in 0..projects {
            let k = self.rng.random_range(0..self.b.committees.len());
            let range = self.committee_needs[k].clone();
            if range.is_empty() {
                continue;
            }
            let first = self.rng.random_range(range.clone());
            let domain = self.b.needs[first].domain;
            let mut needs = vec![self.b.needs[first].id.clone()];
            if self.rng.random_bool(0.3) {
                let other = self.rng.random_range(range);
                if other != first {
                    needs.push(self.b.needs[other].id.clone());
                }
            }
            let s = self.committee_street[k];
            let mut resources: Vec<Id> = Vec::new();
            for &r in &street_resources[s] {
                if self.b.resources[r].domain == domain
                    && resources.len() < 2
                    && self.rng.random_bool(0.5)
                {
                    resources.push(self.b.resources[r].id.clone());
                }
            }
            let status = *[
                ProjectStatus::Planned,
                ProjectStatus::Active,
                ProjectStatus::Active,
                ProjectStatus::Done,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&ProjectStatus::Planned);
            let area = self.b.committees[k].name.trim_end_matches("居委会");
            let id = Id::from(format!("PRJ{:06}", self.b.projects.len() + 1));
            self.b.projects.push(Project {
                id,
                name: format!("{area}{}项目", domain.label_zh()),
                committee: self.b.committees[k].id.clone(),
                needs,
                resources,
                status,
            });
        }
    }

    /// Volunteering rows: mostly at the member's own committee, older members far more often.
    fn volunteering(&mut self) {
        let total = count(
            &mut self.rng,
            PER_COMMITTEE.volunteering * self.b.committees.len() as f64,
        );
        if self.b.members.is_empty() {
            return;
        }
        self.b.volunteering.reserve(total);
        let recent = days(self.cal.as_of, -364);
        let recent_days = (self.cal.as_of - recent).num_days();
        let old_days = (recent - self.cal.start).num_days();
        while self.b.volunteering.len() < total {
            let m = self.rng.random_range(0..self.b.members.len());
            let member = &self.b.members[m];
            if member.birth_year >= 1992 && self.rng.random_range(0..3) != 0 {
                continue;
            }
            let home = self.member_home[m];
            let k = if home != usize::MAX && self.rng.random_bool(0.85) {
                home
            } else if home != usize::MAX {
                let s = self.committee_street[home];
                self.rng.random_range(self.streets[s].committees.clone())
            } else {
                self.rng.random_range(0..self.b.committees.len())
            };
            let domain = member
                .skills
                .choose(&mut self.rng)
                .and_then(|s| crate::names::skill_domain(s))
                .unwrap_or_else(|| weighted_domain(&mut self.rng));
            let date = if self.rng.random_bool(0.88) {
                days(recent, self.rng.random_range(0..=recent_days))
            } else {
                days(self.cal.start, self.rng.random_range(0..old_days))
            };
            let hours = if self.rng.random_bool(0.02) {
                0.0
            } else {
                f64::from(self.rng.random_range(1..=12u8)) * 0.5
            };
            self.b.volunteering.push(Volunteering {
                member: member.id.clone(),
                committee: self.b.committees[k].id.clone(),
                domain,
                hours,
                date,
            });
        }
    }

    /// Explicit 责任清单 items on random party orgs: some done, some overdue, some due soon.
    fn responsibilities(&mut self) {
        if self.b.party_orgs.is_empty() {
            return;
        }
        let total = count(
            &mut self.rng,
            PER_COMMITTEE.responsibilities * self.b.committees.len() as f64,
        );
        let span = (ymd(2026, 12, 31) - self.cal.start).num_days();
        for i in 0..total {
            let org = self.rng.random_range(0..self.b.party_orgs.len());
            let template = *RESPONSIBILITY_TEMPLATES
                .choose(&mut self.rng)
                .unwrap_or(&"召开区域化党建联席会议");
            let item = template.replace("{}", weighted_domain(&mut self.rng).label_zh());
            let due = self
                .rng
                .random_bool(0.85)
                .then(|| days(self.cal.start, self.rng.random_range(0..=span)));
            let done_share = match due {
                Some(d) if d < self.cal.as_of => 0.6,
                _ => 0.2,
            };
            let status = if self.rng.random_bool(done_share) {
                ItemStatus::Done
            } else {
                ItemStatus::Open
            };
            self.b.responsibilities.push(Responsibility {
                id: format!("RSP{:06}", i + 1).into(),
                party_org: self.b.party_orgs[org].id.clone(),
                item,
                due,
                status,
            });
        }
    }
}
