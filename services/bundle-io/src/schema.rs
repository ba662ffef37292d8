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

macro_rules! schema {
    ($($t:ident: $($p:ident $name:literal $ty:ident $(($voc:ident))?),*;)*) => {
        /// Every table, in bundle order (the same order as `dangjian_model::TABLES`).
        pub(crate) const SCHEMA: [Table; 17] = [$(Table {
            name: stringify!($t),
            fields: &[$($p($name, Ty::$ty $((&$voc))?)),*],
        }),*];
    };
}

// One line per table: each field's presence (`req`uired, `opt`ional, `dflt` an empty list when
// absent), wire name and type.
schema! {
    districts: req "id" Id, req "name" Text;
    streets: req "id" Id, req "name" Text, req "district" Id, req "kind" Word(STREET_KIND);
    communities: req "id" Id, req "name" Text, req "street" Id;
    committees: req "id" Id, req "name" Text, req "community" Id, req "households" Count;
    adjacency: req "a" Id, req "b" Id;
    party_orgs:
        req "id" Id,
        req "name" Text,
        req "level" Word(PARTY_ORG_LEVEL),
        opt "parent" Id,
        req "leads" Id,
        req "secretary" Text;
    units:
        req "id" Id,
        req "name" Text,
        req "category" Word(UNIT_CATEGORY),
        req "industry" Text,
        req "street" Id;
    mass_orgs: req "id" Id, req "name" Text, req "type" Word(MASS_ORG_TYPE);
    social_orgs: req "id" Id, req "name" Text, req "street" Id, req "domains" Words(DOMAIN);
    members:
        req "id" Id,
        req "name" Text,
        req "birth_year" Year,
        opt "employer" Id,
        opt "registered_at" Id,
        dflt "skills" Texts;
    partnerships:
        req "id" Id,
        req "unit" Id,
        req "target" Id,
        req "signed" Date,
        opt "expires" Date;
    mass_links: req "mass_org" Id, req "target" Id, req "domain" Word(DOMAIN);
    resources:
        req "id" Id,
        req "name" Text,
        req "provider" Id,
        req "domain" Word(DOMAIN),
        req "capacity" Positive,
        opt "deployed_to" Ids;
    needs: req "id" Id, req "committee" Id, req "domain" Word(DOMAIN), req "demand" Positive;
    projects:
        req "id" Id,
        req "name" Text,
        req "committee" Id,
        req "needs" Ids,
        req "resources" Ids,
        req "status" Word(PROJECT_STATUS);
    volunteering:
        req "member" Id,
        req "committee" Id,
        req "domain" Word(DOMAIN),
        req "hours" Hours,
        req "date" Date;
    responsibilities:
        req "id" Id,
        req "party_org" Id,
        req "item" Text,
        opt "due" Date,
        req "status" Word(ITEM_STATUS);
}

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
