//! Mail. Messages are written to the `outbox` table by the transaction that causes them
//! ([`outbox::enqueue`]) and delivered later by [`outbox::deliver_due`] through a [`Mailer`]:
//! `.eml` files (the embedded default), SMTP (TLS or STARTTLS per the URL), or memory (unit
//! tests). Emails carry a link and a one-line reason, never record content.

pub mod outbox;
pub mod templates;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use crate::config::MailSettings;

#[derive(Clone)]
pub enum Mailer {
    File(PathBuf),
    Smtp(Box<SmtpTransport>),
    Memory(Arc<Mutex<Vec<Message>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::File(p) => write!(f, "Mailer::File({})", p.display()),
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

impl Mailer {
    pub fn from_settings(s: &MailSettings) -> anyhow::Result<Mailer> {
        match s.transport.as_str() {
            "file" => {
                std::fs::create_dir_all(&s.dir)
                    .with_context(|| format!("creating mail.dir {}", s.dir.display()))?;
                Ok(Mailer::File(s.dir.clone()))
            }
            "smtp" => {
                let mut b = SmtpTransport::from_url(&s.smtp_url)
                    .map_err(|e| anyhow::anyhow!("mail.smtp_url is not a valid SMTP URL: {e}"))?;
                if !s.smtp_username.is_empty() {
                    let pw = s
                        .smtp_password
                        .as_ref()
                        .map(|p| p.expose().to_string())
                        .unwrap_or_default();
                    b = b.credentials(Credentials::new(s.smtp_username.clone(), pw));
                }
                Ok(Mailer::Smtp(Box::new(
                    b.timeout(Some(std::time::Duration::from_secs(20))).build(),
                )))
            }
            other => anyhow::bail!("mail.transport must be \"file\" or \"smtp\", got {other:?}"),
        }
    }

    /// Sends one message (blocking; call from a blocking thread).
    pub fn send(&self, msg: Message) -> anyhow::Result<()> {
        match self {
            Mailer::File(dir) => FileTransport::new(dir)
                .send(&msg)
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("writing mail file: {e}")),
            Mailer::Smtp(t) => t
                .send(&msg)
                .map(|_| ())
                .map_err(|e| anyhow::anyhow!("SMTP delivery failed: {e}")),
            Mailer::Memory(v) => {
                v.lock().expect("mail lock").push(msg);
                Ok(())
            }
        }
    }
}

/// Builds a multipart (text + HTML) message.
pub fn build_message(
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
    html: &str,
) -> anyhow::Result<Message> {
    let from: Mailbox = format!("Frontier Access Portal <{from}>")
        .parse()
        .context("mail.from")?;
    let to: Mailbox = to.parse().with_context(|| "recipient address")?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(body(text)),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(body(html)),
                ),
        )
        .context("building the message")
}

/// Plain 7/8-bit bodies keep links on one line (quoted-printable would fold them), so a person
/// or a script can copy them straight from the message source.
/// (lettre would pick quoted-printable for lines over 78 characters.) Falls back to lettre's
/// automatic choice when the text is not plain ASCII with short enough lines.
fn body(text: &str) -> Body {
    let ok = text.is_ascii() && !text.contains('\0') && text.lines().all(|l| l.len() < 990);
    if ok {
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text.to_string())
    }
}
