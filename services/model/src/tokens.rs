//! API tokens (SPEC §6): random secrets shown once, stored only as SHA-256 hashes through the
//! `Store` seam; used by the CLI (`dangjian token create`) and the API (checking a bearer).

use crate::{Bundle, Store, StoreError, TokenInfo, TokenRole};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of every token secret, so leaked tokens are easy to recognise.
pub const SECRET_PREFIX: &str = "djg_";

/// Why a token's scope is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Coordinators must be confined to a street or district.
    #[error("a coordinator token needs --scope with a street or district id")]
    Missing,
    /// The scope is not a street or district of the stored network.
    #[error("`{0}` is not a street or district of the stored network")]
    Unknown(String),
    /// Admin tokens cover the whole city.
    #[error("admin tokens cover the whole city and take no scope")]
    AdminScoped,
}

/// SHA-256 of a secret, lower-case hex.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Check a role and scope against a network: coordinators need a street or district, viewers
/// may have one, admins none.
pub fn validate_scope(
    network: &Bundle,
    role: TokenRole,
    scope: Option<&str>,
) -> Result<(), ScopeError> {
    match (role, scope) {
        (TokenRole::Admin, Some(_)) => Err(ScopeError::AdminScoped),
        (TokenRole::Coordinator, None) => Err(ScopeError::Missing),
        (_, None) => Ok(()),
        (_, Some(s)) => {
            let known = network.streets.iter().any(|x| x.id == s)
                || network.districts.iter().any(|x| x.id == s);
            if known {
                Ok(())
            } else {
                Err(ScopeError::Unknown(s.to_string()))
            }
        }
    }
}

/// Create and store a token; returns its record and the secret (shown once, never stored).
/// Check the scope with [`validate_scope`] first.
pub fn create(
    store: &dyn Store,
    role: TokenRole,
    scope: Option<String>,
) -> Result<(TokenInfo, String), StoreError> {
    let mut rng = rand::rng();
    let mut secret_bytes = [0u8; 32];
    rng.fill_bytes(&mut secret_bytes);
    let mut id_bytes = [0u8; 6];
    rng.fill_bytes(&mut id_bytes);
    let secret = format!("{SECRET_PREFIX}{}", hex::encode(secret_bytes));
    let info = TokenInfo {
        id: format!("tok_{}", hex::encode(id_bytes)),
        role,
        scope,
        hash: hash(&secret),
        created: chrono::Utc::now().to_rfc3339(),
        revoked: false,
    };
    store.add_token(&info)?;
    Ok((info, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn coordinators_need_a_known_street_or_district() {
        let mut b = Bundle::default();
        b.districts.push(crate::District {
            id: "D1".into(),
            name: "区".into(),
        });
        assert_eq!(
            validate_scope(&b, TokenRole::Coordinator, None),
            Err(ScopeError::Missing)
        );
        assert_eq!(
            validate_scope(&b, TokenRole::Coordinator, Some("D1")),
            Ok(())
        );
        assert_eq!(
            validate_scope(&b, TokenRole::Coordinator, Some("X")),
            Err(ScopeError::Unknown("X".into()))
        );
        assert_eq!(
            validate_scope(&b, TokenRole::Admin, Some("D1")),
            Err(ScopeError::AdminScoped)
        );
        assert_eq!(validate_scope(&b, TokenRole::Viewer, None), Ok(()));
    }
}
