//! Single sign-on rules (DESIGN §7): which account an OpenID Connect identity may sign in to,
//! when the provider's sign-in counts as the second factor, and the reasons a sign-in is
//! refused (sent to the web page as `/sign-in?sso_error=<reason>`).

domain_string_enum! {
    /// Why an SSO sign-in made no session. The web page shows each in plain words; none says
    /// more about which accounts exist than the person's own verified address already tells.
    pub enum SsoRefusal {
        /// The provider could not be reached (discovery or the token request failed).
        ProviderUnavailable = "provider_unavailable",
        /// The provider answered with an error (e.g. the person cancelled).
        ProviderError = "provider_error",
        /// No live attempt matches: `state` unknown, used, expired, or started in another browser.
        AttemptInvalid = "attempt_invalid",
        /// The code exchange or the ID token check failed (signature, issuer, audience, expiry,
        /// nonce, PKCE).
        TokenInvalid = "token_invalid",
        /// The provider did not say it verified the email address.
        EmailNotVerified = "email_not_verified",
        /// No account may be linked: none has the address, or it is a self sign-up whose
        /// address was never confirmed (linking it would let whoever registered it first in).
        NoAccount = "no_account",
        /// The account is disabled.
        AccountDisabled = "account_disabled",
    }
}

/// What the portal knows of the account that has the identity's email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    /// Confirmed (email verified) and not disabled.
    Active,
    /// Invited and not yet accepted: no password, email not confirmed.
    Invited,
    /// Signed up with a password and never confirmed the address.
    UnconfirmedSignUp,
    Disabled,
}

impl AccountState {
    pub fn of(disabled: bool, verified: bool, has_password: bool) -> AccountState {
        match (disabled, verified, has_password) {
            (true, _, _) => AccountState::Disabled,
            (false, true, _) => AccountState::Active,
            (false, false, false) => AccountState::Invited,
            (false, false, true) => AccountState::UnconfirmedSignUp,
        }
    }
}

/// May an identity with a provider-verified address be linked to this account by that address?
/// `Ok(true)` when linking also activates it (an invitation accepted through SSO).
pub fn may_link(account: AccountState) -> Result<bool, SsoRefusal> {
    match account {
        AccountState::Active => Ok(false),
        AccountState::Invited => Ok(true),
        AccountState::UnconfirmedSignUp => Err(SsoRefusal::NoAccount),
        AccountState::Disabled => Err(SsoRefusal::AccountDisabled),
    }
}

/// Factor kinds of RFC 8176 `amr` values: something known, something held, something one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FactorKind {
    Knowledge,
    Possession,
    Inherence,
}

fn kind_of(amr: &str) -> Option<FactorKind> {
    Some(match amr {
        "pwd" | "pin" | "kba" => FactorKind::Knowledge,
        // Hardware and software keys, one-time codes, smart cards, proof of possession.
        // `sms` and `tel` are left out: NIST SP 800-63B treats the phone network as a
        // restricted authenticator, so they do not make a sign-in multi-factor here.
        "hwk" | "swk" | "otp" | "sc" | "pop" => FactorKind::Possession,
        "fpt" | "face" | "iris" | "retina" | "vbm" => FactorKind::Inherence,
        _ => return None,
    })
}

/// Does the provider's `amr` (RFC 8176) show a multi-factor sign-in? Yes when it says `mfa`
/// outright, or names factors of two different kinds (e.g. `pwd` and `otp`). The portal then
/// counts the sign-in as its second factor (the session is stepped up, as after a code).
pub fn amr_shows_mfa(amr: &[String]) -> bool {
    if amr.iter().any(|a| a == "mfa") {
        return true;
    }
    let kinds: Vec<FactorKind> = amr.iter().filter_map(|a| kind_of(a)).collect();
    kinds.iter().any(|k| kinds.iter().any(|j| j != k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn amr_mfa_needs_mfa_or_two_kinds_of_factor() {
        assert!(amr_shows_mfa(&v(&["pwd", "mfa"])));
        assert!(amr_shows_mfa(&v(&["pwd", "otp"])));
        assert!(amr_shows_mfa(&v(&["hwk", "fpt"])));
        assert!(!amr_shows_mfa(&v(&["pwd"])));
        assert!(!amr_shows_mfa(&v(&["pwd", "pin"])));
        assert!(!amr_shows_mfa(&v(&["pwd", "sms"])));
        assert!(!amr_shows_mfa(&v(&["hwk", "otp"])));
        assert!(!amr_shows_mfa(&[]));
    }

    #[test]
    fn only_active_or_invited_accounts_link() {
        assert_eq!(may_link(AccountState::of(false, true, true)), Ok(false));
        assert_eq!(may_link(AccountState::of(false, false, false)), Ok(true));
        assert_eq!(
            may_link(AccountState::of(false, false, true)),
            Err(SsoRefusal::NoAccount)
        );
        assert_eq!(
            may_link(AccountState::of(true, true, true)),
            Err(SsoRefusal::AccountDisabled)
        );
    }
}
