//! Mail. Messages are written to the `outbox` table by the transaction that causes them
//! ([`outbox::enqueue`]) and delivered later by [`outbox::deliver_due`] through a [`Mailer`]:
//! `.eml` files (the embedded default), SMTP (TLS or STARTTLS per the URL), or memory (unit
//! tests). Emails carry a link and a one-line reason, never record content.
//!
//! Delivery is at least once (see [`outbox`]), so every message carries a `Message-ID` derived
//! from its outbox row ([`message_id`]): a retry of the same row sends the same id and receivers
//! drop the duplicate. The file transport names each file after that id, so a retry replaces the
//! file instead of adding one, and writes it readable by the owner only (it holds live links).

pub mod outbox;
pub mod templates;

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

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
                create_private_dir(&s.dir)
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
                    b.timeout(Some(outbox::SMTP_TIMEOUT)).build(),
                )))
            }
            other => anyhow::bail!("mail.transport must be \"file\" or \"smtp\", got {other:?}"),
        }
    }

    /// Sends one message (blocking; call from a blocking thread).
    pub fn send(&self, msg: Message) -> anyhow::Result<()> {
        match self {
            Mailer::File(dir) => write_eml(dir, &msg).context("writing mail file"),
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

/// The directory (and its missing parents) created, and the directory itself kept, mode 0700.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Writes `<message-id>.eml` (mode 0600) through a temporary file and a rename, so a reader never
/// sees half a message and a retry of the same message replaces its file.
fn write_eml(dir: &Path, msg: &Message) -> anyhow::Result<()> {
    let id = msg
        .headers()
        .get_raw("Message-ID")
        .map(|v| {
            v.chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '@' | '_'))
                .collect::<String>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let path = dir.join(format!("{id}.eml"));
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    // `mode` applies only when the file is created; a leftover temporary file is narrowed too.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(&msg.formatted())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(())
}

/// The `Message-ID` of an outbox row: `<row id@domain of mail.from>`. Computed, not stored, so
/// every attempt at the same row carries the same id.
pub fn message_id(outbox_id: &str, from: &str) -> String {
    let domain = from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or("localhost");
    format!("<{outbox_id}@{domain}>")
}

/// Builds a multipart (text + HTML) message.
pub fn build_message(
    from: &str,
    to: &str,
    subject: &str,
    text: &str,
    html: &str,
    message_id: String,
) -> anyhow::Result<Message> {
    let from: Mailbox = format!("Frontier Access Portal <{from}>")
        .parse()
        .context("mail.from")?;
    let to: Mailbox = to.parse().with_context(|| "recipient address")?;
    Message::builder()
        .from(from)
        .to(to)
        .message_id(Some(message_id))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_is_the_row_id_at_the_sender_domain() {
        assert_eq!(
            message_id("0190-abc", "portal@portal.example.gov"),
            "<0190-abc@portal.example.gov>"
        );
        assert_eq!(message_id("x", "nobody"), "<x@localhost>");
    }

    #[test]
    fn file_transport_writes_private_files_named_by_message_id() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data").join("mail");
        let settings = MailSettings {
            transport: "file".into(),
            dir: dir.clone(),
            from: "portal@localhost".into(),
            smtp_url: String::new(),
            smtp_username: String::new(),
            smtp_password_file: String::new(),
            smtp_password: None,
        };
        let mailer = Mailer::from_settings(&settings).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700, "mail dir");
        let msg = || {
            build_message(
                "portal@localhost",
                "a@x.example",
                "Subject",
                "Open http://x/invite/token",
                "<p>Open</p>",
                message_id("row-1", "portal@localhost"),
            )
            .unwrap()
        };
        mailer.send(msg()).unwrap();
        // A retry of the same row replaces its file.
        mailer.send(msg()).unwrap();
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].file_name().unwrap(), "row-1@localhost.eml");
        assert_eq!(mode(&files[0]), 0o600, "eml file");
        let raw = std::fs::read_to_string(&files[0]).unwrap();
        assert!(raw.contains("Message-ID: <row-1@localhost>"), "{raw}");
    }
}
