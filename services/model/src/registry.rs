//! The table registry: the one list of the bundle's 17 tables, in bundle order, from which the
//! [`Bundle`](crate::Bundle) struct, [`TABLES`](crate::TABLES), the merge keys and every
//! per-table walk (merge, store loads, the CLI's one-table import) are derived.

/// Calls the macro `$m!` with every table of a bundle, in bundle order (SPEC §2), as
/// `field: Row [id]` for a table whose rows carry an id (upserted by it; the row type names the
/// [`Kind`](crate::Kind) too) and `field: Row []` for one whose rows are deduplicated by value.
/// `for_each_table!(keyed $m)` calls it with the tables with ids only, as `field: Row`.
#[macro_export]
macro_rules! for_each_table {
    ($m:ident) => {
        $crate::for_each_table! { @list $m all }
    };
    (keyed $m:ident) => {
        $crate::for_each_table! { @list $m keyed }
    };
    (@list $m:ident $mode:ident) => {
        $crate::for_each_table! {
            @$mode $m []
            districts: District [id],
            streets: Street [id],
            communities: Community [id],
            committees: Committee [id],
            adjacency: Adjacency [],
            party_orgs: PartyOrg [id],
            units: Unit [id],
            mass_orgs: MassOrg [id],
            social_orgs: SocialOrg [id],
            members: Member [id],
            partnerships: Partnership [id],
            mass_links: MassLink [],
            resources: Resource [id],
            needs: Need [id],
            projects: Project [id],
            volunteering: Volunteering [],
            responsibilities: Responsibility [id],
        }
    };
    (@all $m:ident [] $($e:tt)*) => {
        $m! { $($e)* }
    };
    (@keyed $m:ident [$($acc:tt)*]) => {
        $m! { $($acc)* }
    };
    (@keyed $m:ident [$($acc:tt)*] $t:ident: $row:ident [id], $($rest:tt)*) => {
        $crate::for_each_table! { @keyed $m [$($acc)* $t: $row,] $($rest)* }
    };
    (@keyed $m:ident [$($acc:tt)*] $t:ident: $row:ident [], $($rest:tt)*) => {
        $crate::for_each_table! { @keyed $m [$($acc)*] $($rest)* }
    };
}
