//! The field schema of every bundle table (SPEC §2), shared by the JSON, CSV and XLSX decoders
//! and writers: field names, value types, and whether a field may be left out.

/// A closed set of allowed strings, e.g. the street kinds.
pub(crate) struct Vocabulary {
    /// What the value is, for messages: `street kind`.
    pub what: &'static str,
    pub values: &'static [&'static str],
}

pub(crate) const STREET_KIND: Vocabulary = Vocabulary {
    what: "street kind",
    values: &["street", "town"],
};
pub(crate) const PARTY_ORG_LEVEL: Vocabulary = Vocabulary {
    what: "party-org level",
    values: &["working_committee", "committee", "general_branch", "branch"],
};
pub(crate) const UNIT_CATEGORY: Vocabulary = Vocabulary {
    what: "unit category",
    values: &[
        "enterprise",
        "public_institution",
        "government",
        "school",
        "hospital",
        "other",
    ],
};
pub(crate) const MASS_ORG_TYPE: Vocabulary = Vocabulary {
    what: "mass-org type",
    values: &["union", "youth_league", "women_federation", "other"],
};
pub(crate) const PROJECT_STATUS: Vocabulary = Vocabulary {
    what: "project status",
    values: &["planned", "active", "done"],
};
pub(crate) const ITEM_STATUS: Vocabulary = Vocabulary {
    what: "responsibility status",
    values: &["open", "done"],
};
pub(crate) const DOMAIN: Vocabulary = Vocabulary {
    what: "service domain",
    values: &[
        "employment",
        "elderly_care",
        "childcare",
        "poverty_relief",
        "disability_support",
        "public_safety",
        "healthcare",
        "greening",
        "education_training",
        "legal_aid",
        "psychological",
        "culture_sports",
    ],
};

/// The type of one field's value.
#[derive(Clone, Copy)]
pub(crate) enum Ty {
    /// Free text.
    Text,
    /// An id or a reference to one (a string).
    Id,
    /// A whole number that fits `i32` (birth year).
    Year,
    /// A whole number ≥ 0.
    Count,
    /// A whole number > 0.
    Positive,
    /// A finite number ≥ 0.
    Hours,
    /// `YYYY-MM-DD`.
    Date,
    /// One value of a vocabulary.
    Word(&'static Vocabulary),
    /// A list of values of a vocabulary.
    Words(&'static Vocabulary),
    /// A list of free texts.
    Texts,
    /// A list of ids.
    Ids,
}

impl Ty {
    pub(crate) fn is_list(self) -> bool {
        matches!(self, Ty::Words(_) | Ty::Texts | Ty::Ids)
    }
}

/// Whether a field may be left out.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Must be there.
    Required,
    /// May be absent or `null` (an `Option`).
    Optional,
    /// May be absent (a list that defaults to empty), but not `null`.
    Defaulted,
}

pub(crate) struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub presence: Presence,
}

pub(crate) struct Table {
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Table {
    pub(crate) fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub(crate) fn field_names(&self) -> String {
        self.fields
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Required,
    }
}

const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Optional,
    }
}

const fn dflt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Defaulted,
    }
}

/// Every table, in bundle order (the same order as `dangjian_model::TABLES`).
pub(crate) const SCHEMA: [Table; 17] = [
    Table {
        name: "districts",
        fields: &[req("id", Ty::Id), req("name", Ty::Text)],
    },
    Table {
        name: "streets",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("district", Ty::Id),
            req("kind", Ty::Word(&STREET_KIND)),
        ],
    },
    Table {
        name: "communities",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("street", Ty::Id),
        ],
    },
    Table {
        name: "committees",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("community", Ty::Id),
            req("households", Ty::Count),
        ],
    },
    Table {
        name: "adjacency",
        fields: &[req("a", Ty::Id), req("b", Ty::Id)],
    },
    Table {
        name: "party_orgs",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("level", Ty::Word(&PARTY_ORG_LEVEL)),
            opt("parent", Ty::Id),
            req("leads", Ty::Id),
            req("secretary", Ty::Text),
        ],
    },
    Table {
        name: "units",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("category", Ty::Word(&UNIT_CATEGORY)),
            req("industry", Ty::Text),
            req("street", Ty::Id),
        ],
    },
    Table {
        name: "mass_orgs",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("type", Ty::Word(&MASS_ORG_TYPE)),
        ],
    },
    Table {
        name: "social_orgs",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("street", Ty::Id),
            req("domains", Ty::Words(&DOMAIN)),
        ],
    },
    Table {
        name: "members",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("birth_year", Ty::Year),
            opt("employer", Ty::Id),
            opt("registered_at", Ty::Id),
            dflt("skills", Ty::Texts),
        ],
    },
    Table {
        name: "partnerships",
        fields: &[
            req("id", Ty::Id),
            req("unit", Ty::Id),
            req("target", Ty::Id),
            req("signed", Ty::Date),
            opt("expires", Ty::Date),
        ],
    },
    Table {
        name: "mass_links",
        fields: &[
            req("mass_org", Ty::Id),
            req("target", Ty::Id),
            req("domain", Ty::Word(&DOMAIN)),
        ],
    },
    Table {
        name: "resources",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("provider", Ty::Id),
            req("domain", Ty::Word(&DOMAIN)),
            req("capacity", Ty::Positive),
            opt("deployed_to", Ty::Ids),
        ],
    },
    Table {
        name: "needs",
        fields: &[
            req("id", Ty::Id),
            req("committee", Ty::Id),
            req("domain", Ty::Word(&DOMAIN)),
            req("demand", Ty::Positive),
        ],
    },
    Table {
        name: "projects",
        fields: &[
            req("id", Ty::Id),
            req("name", Ty::Text),
            req("committee", Ty::Id),
            req("needs", Ty::Ids),
            req("resources", Ty::Ids),
            req("status", Ty::Word(&PROJECT_STATUS)),
        ],
    },
    Table {
        name: "volunteering",
        fields: &[
            req("member", Ty::Id),
            req("committee", Ty::Id),
            req("domain", Ty::Word(&DOMAIN)),
            req("hours", Ty::Hours),
            req("date", Ty::Date),
        ],
    },
    Table {
        name: "responsibilities",
        fields: &[
            req("id", Ty::Id),
            req("party_org", Ty::Id),
            req("item", Ty::Text),
            opt("due", Ty::Date),
            req("status", Ty::Word(&ITEM_STATUS)),
        ],
    },
];

/// The schema of a table, by name.
pub(crate) fn table(name: &str) -> Option<(usize, &'static Table)> {
    SCHEMA.iter().enumerate().find(|(_, t)| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dangjian_model::*;
    use serde::de::DeserializeOwned;

    fn all_parse<T: DeserializeOwned>(v: &Vocabulary) {
        for value in v.values {
            let parsed = serde_json::from_value::<T>(serde_json::Value::from(*value));
            assert!(parsed.is_ok(), "{} `{value}` is not a model value", v.what);
        }
    }

    #[test]
    fn vocabularies_match_the_model() {
        all_parse::<StreetKind>(&STREET_KIND);
        all_parse::<PartyOrgLevel>(&PARTY_ORG_LEVEL);
        all_parse::<UnitCategory>(&UNIT_CATEGORY);
        all_parse::<MassOrgType>(&MASS_ORG_TYPE);
        all_parse::<ProjectStatus>(&PROJECT_STATUS);
        all_parse::<ItemStatus>(&ITEM_STATUS);
        let domains: Vec<&str> = ServiceDomain::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(domains, DOMAIN.values);
    }

    #[test]
    fn tables_are_in_model_order() {
        let names: Vec<&str> = SCHEMA.iter().map(|t| t.name).collect();
        assert_eq!(names, TABLES);
    }
}
