//! The one masking rule for a person's name (SPEC §6): what a viewer sees of a member or a
//! party-org secretary is the surname (the first character) and `*`.

/// The masked form of a name: its first character (the surname) and `*`.
pub fn mask_name(name: &str) -> String {
    let surname: String = name.chars().take(1).collect();
    format!("{surname}*")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_surname_is_kept() {
        assert_eq!(mask_name("孙勇敏"), "孙*");
        assert_eq!(mask_name("欧阳修"), "欧*");
        assert_eq!(mask_name(""), "*");
    }
}
