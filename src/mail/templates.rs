//! Email texts. Each names the reason in one line and gives a link into the portal; none
//! carries record content (no summaries, rationales, instructions or terms).

pub use crate::domain::notification::Reason;

/// The texts of each reason.
trait Texts {
    /// (subject, one-line reason, call to action)
    fn texts(self) -> (&'static str, &'static str, &'static str);
}

impl Texts for Reason {
    fn texts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Reason::Invitation => (
                "You are invited to the Frontier Access Portal",
                "An administrator invited you to join your organization on the Frontier Access Portal.",
                "Accept the invitation",
            ),
            Reason::EmailVerification => (
                "Confirm your email address",
                "Confirm this address to finish setting up your Frontier Access Portal account.",
                "Confirm my email",
            ),
            Reason::PasswordReset => (
                "Reset your password",
                "Someone asked to reset the password of this account. If it was not you, ignore this email.",
                "Choose a new password",
            ),
            Reason::RequestSubmitted => (
                "A designation request was submitted",
                "A developer submitted a voluntary designation request for review.",
                "Open the request",
            ),
            Reason::InformationRequested => (
                "A reviewer asked for information",
                "A Government reviewer asked for more information on your designation request.",
                "Open the request",
            ),
            Reason::Determination => (
                "A determination was recorded",
                "The determination on your designation request has been recorded.",
                "Open the request",
            ),
            Reason::GrantOffered => (
                "Model access was offered to your agency",
                "A developer offered your agency time-boxed access to a model.",
                "Open the grant",
            ),
            Reason::TermsFullyAccepted => (
                "Terms accepted by all parties",
                "Every party has accepted the terms of an access grant you are part of.",
                "Open the grant",
            ),
            Reason::WindowStarts => (
                "An access window has started",
                "An access window you are part of has started.",
                "Open the grant",
            ),
            Reason::WindowEndsSoon => (
                "An access window ends in 3 days",
                "An access window you are part of ends in three days or less.",
                "Open the grant",
            ),
            Reason::EndedEarly => (
                "An access window was ended early",
                "The developer ended an access window you are part of before its scheduled end.",
                "Open the grant",
            ),
            Reason::NominationProposed => (
                "A trusted partner was nominated",
                "A trusted partner was nominated for early access and awaits your side's answer.",
                "Open the nomination",
            ),
            Reason::PartnerSelected => (
                "Your organization was selected as a trusted partner",
                "The developer and the Government selected your organization for early access to a model.",
                "Open the portal",
            ),
            Reason::NominationConcurred => (
                "The Government concurred on your partner nomination",
                "The Government concurred on a trusted partner your organization nominated. The partner is selected: you may now issue it an early-access grant, whenever you choose.",
                "Open the nomination",
            ),
            Reason::PartnerGrantIssued => (
                "Early access was granted to your organization",
                "A developer issued your organization an early-access grant.",
                "Open the grant",
            ),
            Reason::PartnerGrantRevoked => (
                "An early-access grant was revoked",
                "The developer revoked an early-access grant to your organization.",
                "Open the portal",
            ),
            Reason::GrantDeclined => (
                "An organization declined the access you offered",
                "An organization you offered access to a model declined it. Nothing changes for you: you can end the grant, change it or offer access again whenever you choose.",
                "Open the grant",
            ),
            Reason::GrantMessage => (
                "A new message on a grant",
                "Someone wrote to your organization in the message thread of a grant you are part of.",
                "Read the message",
            ),
            Reason::InvitationToExistingAccount => (
                "About an invitation to the Frontier Access Portal",
                "Someone tried to add this address to an organization on the Frontier Access Portal. It already has an account, so nothing changed. If you did not expect this, you can ignore this email.",
                "Sign in",
            ),
            Reason::NewSignIn => (
                "A new sign-in to your account",
                "There was a new sign-in to your Frontier Access Portal account from a browser not used on it recently. If it was not you, end that session and reset your password.",
                "Review your sessions",
            ),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// (subject, text body, HTML body) for a reason and its link.
pub fn render(reason: Reason, link: &str) -> (String, String, String) {
    render_with_line(reason, None, link)
}

/// [`render`] with the reason's line replaced by `line` (made by the server from fixed words,
/// times and labels; never a user's text).
pub fn render_with_line(
    reason: Reason,
    line: Option<&str>,
    link: &str,
) -> (String, String, String) {
    let (subject, default_line, action) = reason.texts();
    let line = line.unwrap_or(default_line);
    let text = format!(
        "{line}\n\n{action}: {link}\n\n\
         Participation in the Sec. 3(b) framework is voluntary.\n\
         This message was sent by the Frontier Access Portal. Do not reply.\n"
    );
    let html = format!(
        "<!doctype html>\n<html><body style=\"font-family:sans-serif\">\n\
         <p>{line}</p>\n<p><a href=\"{l}\">{action}</a></p>\n\
         <p style=\"color:#555;font-size:small\">Participation in the Sec. 3(b) framework is voluntary.\n\
         This message was sent by the Frontier Access Portal. Do not reply.</p>\n</body></html>\n",
        line = escape(line),
        l = escape(link),
        action = escape(action),
    );
    (subject.to_string(), text, html)
}
